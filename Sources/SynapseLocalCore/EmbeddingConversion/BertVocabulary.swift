import Foundation
import SynapseLocalSystem

/// A BERT model's WordPiece vocabulary as llama.cpp's `bert` tokenizer reads it: every token
/// that is not a control token gets the "phantom space" `▁` prefix, and a `##` continuation loses
/// its `##` (as `convert_hf_to_gguf.py` writes it).
struct BertVocabulary {
  var tokens: [String]
  /// gguf's token types: 1 normal, 3 control (the tokenizer's special added tokens), 5 unused.
  var types: [Int32]
  var special: [String: Int]
  var lowercase: Bool

  static func read(folder: String, files: any FileSystem) throws(EmbeddingConversionError) -> BertVocabulary {
    var byID: [Int: String] = [:]
    var control = Set<Int>()
    var lowercase = true
    let tokenizerFile = folder + "/tokenizer.json"
    if let data = files.contents(tokenizerFile) {
      guard let tokenizer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
        let model = tokenizer["model"] as? [String: Any], let vocab = model["vocab"] as? [String: Int]
      else { throw .damaged(file: tokenizerFile, reason: "it has no model.vocab") }
      guard model["type"] as? String == "WordPiece" else {
        throw .unsupported("the tokenizer is \(model["type"] as? String ?? "unknown"), and llama.cpp's BERT reads WordPiece")
      }
      for (token, id) in vocab { byID[id] = token }
      for added in tokenizer["added_tokens"] as? [[String: Any]] ?? [] {
        guard let id = added["id"] as? Int, let content = added["content"] as? String else { continue }
        byID[id] = content
        if added["special"] as? Bool == true { control.insert(id) }
      }
      if let normalizer = tokenizer["normalizer"] as? [String: Any], let lower = normalizer["lowercase"] as? Bool { lowercase = lower }
    } else if let text = files.readText(folder + "/vocab.txt") {
      for (id, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
        byID[id] = String(line)
      }
      for (id, token) in byID where ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].contains(token) { control.insert(id) }
      if let config = files.contents(folder + "/tokenizer_config.json"),
        let object = (try? JSONSerialization.jsonObject(with: config)) as? [String: Any], let lower = object["do_lower_case"] as? Bool
      {
        lowercase = lower
      }
    } else {
      throw .damaged(file: tokenizerFile, reason: "neither it nor vocab.txt is there")
    }
    guard let last = byID.keys.max(), last < 1_000_000, !byID.isEmpty else {
      throw .damaged(file: tokenizerFile, reason: "its vocabulary is empty or implausible")
    }
    var tokens: [String] = []
    var types: [Int32] = []
    for id in 0...last {
      guard let token = byID[id] else {
        tokens.append("[PAD\(id)]")
        types.append(5)
        continue
      }
      if control.contains(id) {
        tokens.append(token)
        types.append(3)
      } else {
        tokens.append(token.hasPrefix("##") ? String(token.dropFirst(2)) : "\u{2581}" + token)
        types.append(1)
      }
    }
    let index = Dictionary(byID.map { ($0.value, $0.key) }) { first, _ in first }
    var special: [String: Int] = [:]
    for (role, fallback) in [("cls", "[CLS]"), ("sep", "[SEP]"), ("unk", "[UNK]"), ("pad", "[PAD]"), ("mask", "[MASK]")] {
      let named = Self.specialToken(role, folder: folder, files: files) ?? fallback
      if let id = index[named] { special[role] = id }
    }
    guard special["cls"] != nil, special["sep"] != nil else {
      throw .unsupported("the vocabulary has no [CLS] and [SEP] tokens, which BERT embeddings start and end with")
    }
    return BertVocabulary(tokens: tokens, types: types, special: special, lowercase: lowercase)
  }

  /// special_tokens_map.json's `<role>_token`: a string, or an object with `content`.
  static func specialToken(_ role: String, folder: String, files: any FileSystem) -> String? {
    guard let data = files.contents(folder + "/special_tokens_map.json"),
      let map = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    else { return nil }
    let value = map[role + "_token"]
    return value as? String ?? (value as? [String: Any])?["content"] as? String
  }

  func describe(into gguf: inout GGUFWriter) {
    gguf.set("tokenizer.ggml.model", .string("bert"))
    gguf.set("tokenizer.ggml.pre", .string("default"))
    gguf.set("tokenizer.ggml.tokens", .strings(tokens))
    gguf.set("tokenizer.ggml.token_type", .int32s(types))
    // llama.cpp takes BERT's [CLS] as its BOS and [SEP] as its EOS and separator.
    let keys = [
      ("cls", "bos_token_id"), ("sep", "eos_token_id"), ("unk", "unknown_token_id"), ("sep", "seperator_token_id"),
      ("pad", "padding_token_id"), ("mask", "mask_token_id"),
    ]
    for (role, key) in keys { if let id = special[role] { gguf.set("tokenizer.ggml." + key, .uint32(UInt32(id))) } }
    gguf.set("tokenizer.ggml.add_bos_token", .bool(true))
    gguf.set("tokenizer.ggml.add_eos_token", .bool(true))
    gguf.set("tokenizer.ggml.add_sep_token", .bool(false))
    gguf.set("tokenizer.ggml.normalizer.lowercase", .bool(lowercase))
  }
}
