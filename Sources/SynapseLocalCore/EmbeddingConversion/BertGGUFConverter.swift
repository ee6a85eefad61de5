import Foundation
import SynapseLocalSystem

/// Turns a sentence-transformers model of the BERT family (all-MiniLM-L6-v2, the bge models) into
/// the GGUF that llama-server serves embeddings from, as llama.cpp's own `convert_hf_to_gguf.py`
/// does for `BertModel`: the same tensor names, metadata and "phantom space" WordPiece vocabulary,
/// matrices in F16 and the rest in F32. No Python, no torch: the weights are read from
/// `model.safetensors`, and a model whose sentence-transformers pipeline llama.cpp cannot
/// reproduce (a Dense layer, max pooling, another architecture) is refused, not approximated.
public struct BertGGUFConverter: Sendable {
  public var files: any FileSystem

  /// Bumped when the output changes, so an earlier conversion is not reused.
  public static let version = 1
  /// The files a conversion reads (those present), in the order their digests are combined.
  public static let inputs = [
    "config.json", "modules.json", "tokenizer.json", "vocab.txt", "special_tokens_map.json", "tokenizer_config.json",
    "model.safetensors",
  ]

  public init(files: any FileSystem) { self.files = files }

  public func convert(folder: String, name: String) throws(EmbeddingConversionError) -> Data {
    let config = try json(folder, "config.json")
    let architectures = config["architectures"] as? [String] ?? []
    guard config["model_type"] as? String == "bert" || architectures.contains("BertModel") else {
      throw .unsupported(
        "\(name) is a \(config["model_type"] as? String ?? "model of unknown type") model; llama.cpp embeddings are made here for BERT models only"
      )
    }
    if let position = config["position_embedding_type"] as? String, position != "absolute" {
      throw .unsupported("\(name) uses \(position) position embeddings; llama.cpp's BERT has absolute ones only")
    }
    let pooling = try poolingType(folder, name: name)
    let vocabulary = try BertVocabulary.read(folder: folder, files: files)
    guard let weights = files.contents(folder + "/model.safetensors") else {
      throw .damaged(file: folder + "/model.safetensors", reason: "it is missing (only model.safetensors weights convert)")
    }
    let safetensors = try SafetensorsFile(data: weights, name: folder + "/model.safetensors")

    func integer(_ key: String) throws(EmbeddingConversionError) -> UInt32 {
      guard let value = config[key] as? Int, value > 0, value <= Int(UInt32.max) else {
        throw .damaged(file: folder + "/config.json", reason: "\(key) is missing or not a positive integer")
      }
      return UInt32(value)
    }
    var gguf = GGUFWriter()
    gguf.set("general.architecture", .string("bert"))
    gguf.set("general.type", .string("model"))
    gguf.set("general.name", .string(name))
    gguf.set("bert.block_count", .uint32(try integer("num_hidden_layers")))
    gguf.set("bert.context_length", .uint32(try integer("max_position_embeddings")))
    gguf.set("bert.embedding_length", .uint32(try integer("hidden_size")))
    gguf.set("bert.feed_forward_length", .uint32(try integer("intermediate_size")))
    gguf.set("bert.attention.head_count", .uint32(try integer("num_attention_heads")))
    gguf.set("bert.attention.layer_norm_epsilon", .float32(Float(config["layer_norm_eps"] as? Double ?? 1e-12)))
    gguf.set("general.file_type", .uint32(1))  // mostly F16
    gguf.set("bert.attention.causal", .bool(false))
    gguf.set("bert.pooling_type", .uint32(pooling))
    gguf.set("general.quantization_version", .uint32(2))
    gguf.set("tokenizer.ggml.token_type_count", .uint32(UInt32(config["type_vocab_size"] as? Int ?? 1)))
    vocabulary.describe(into: &gguf)

    let layers = Int(try integer("num_hidden_layers"))
    for tensor in safetensors.entries.keys.sorted() {
      guard let target = try Self.ggufName(tensor, layers: layers) else { continue }
      let entry = safetensors.entries[tensor]!
      guard SafetensorsFile.floatTypes.contains(entry.dtype) else {
        throw .unsupported("tensor \(tensor) of \(name) is \(entry.dtype); only F32, F16 and BF16 weights convert")
      }
      let floats = safetensors.floats(tensor)
      // Matrices in F16, as the converter's default; vectors and the position and type tables in F32.
      let half = entry.shape.count == 2 && !target.hasPrefix("position_embd") && !target.hasPrefix("token_types")
      let bytes = half ? Self.halfPrecision(floats) : floats.withUnsafeBufferPointer { Data(buffer: $0) }
      gguf.add(
        .init(
          name: target, dimensions: entry.shape.reversed().map { UInt64($0) }, type: GGMLType.named(half ? 1 : 0)!,
          bytes: bytes))
    }
    guard gguf.tensors.contains(where: { $0.name == "token_embd.weight" }) else {
      throw .damaged(file: folder + "/model.safetensors", reason: "it has no word embeddings (embeddings.word_embeddings.weight)")
    }
    return gguf.encoded()
  }

  static func halfPrecision(_ floats: [Float]) -> Data {
    var data = Data(count: floats.count * 2)
    data.withUnsafeMutableBytes { raw in
      for (index, value) in floats.enumerated() {
        raw.storeBytes(of: Float16(value).bitPattern.littleEndian, toByteOffset: index * 2, as: UInt16.self)
      }
    }
    return data
  }

  /// llama.cpp's name for a Hugging Face BERT tensor (gguf-py's tensor_mapping), nil for the
  /// parts an embedding does not use; an unknown tensor is refused, never dropped silently.
  static func ggufName(_ original: String, layers: Int) throws(EmbeddingConversionError) -> String? {
    var name = original.hasPrefix("bert.") ? String(original.dropFirst(5)) : original
    if name.hasSuffix(".gamma") { name = String(name.dropLast(6)) + ".weight" }
    if name.hasSuffix(".beta") { name = String(name.dropLast(5)) + ".bias" }
    if name == "embeddings.position_ids" || name.hasPrefix("pooler.") || name.hasPrefix("cls.") { return nil }
    let suffix = name.hasSuffix(".weight") ? "weight" : name.hasSuffix(".bias") ? "bias" : nil
    guard let suffix else { throw .unsupported("tensor \(original) is neither a weight nor a bias") }
    let stem = String(name.dropLast(suffix.count + 1))
    let embeddings = [
      "embeddings.word_embeddings": "token_embd", "embeddings.position_embeddings": "position_embd",
      "embeddings.token_type_embeddings": "token_types", "embeddings.LayerNorm": "token_embd_norm",
    ]
    if let target = embeddings[stem] { return target + "." + suffix }
    let parts = stem.split(separator: ".", maxSplits: 3).map(String.init)
    guard parts.count == 4, parts[0] == "encoder", parts[1] == "layer", let layer = Int(parts[2]), layer >= 0, layer < layers else {
      throw .unsupported("tensor \(original) is not part of a BERT encoder llama.cpp knows")
    }
    let block = [
      "attention.self.query": "attn_q", "attention.self.key": "attn_k", "attention.self.value": "attn_v",
      "attention.output.dense": "attn_output", "attention.output.LayerNorm": "attn_output_norm", "intermediate.dense": "ffn_up",
      "output.dense": "ffn_down", "output.LayerNorm": "layer_output_norm",
    ]
    guard let target = block[parts[3]] else { throw .unsupported("tensor \(original) is not part of a BERT encoder llama.cpp knows") }
    return "blk.\(layer).\(target).\(suffix)"
  }

  /// llama.cpp's pooling (1 mean, 2 CLS, 3 last token) from the sentence-transformers pipeline,
  /// which may hold only the transformer, its pooling and a normalization (llama-server's
  /// `/v1/embeddings` normalizes too).
  func poolingType(_ folder: String, name: String) throws(EmbeddingConversionError) -> UInt32 {
    guard files.exists(folder + "/modules.json") else { return 1 }  // sentence-transformers' default: mean
    guard let modules = (try? JSONSerialization.jsonObject(with: files.contents(folder + "/modules.json") ?? Data())) as? [[String: Any]]
    else { throw .damaged(file: folder + "/modules.json", reason: "it is not a JSON list of modules") }
    var pooling: UInt32 = 1
    for module in modules {
      let type = (module["type"] as? String ?? "").split(separator: ".").last.map(String.init) ?? ""
      switch type {
      case "Transformer", "Normalize": continue
      case "Pooling":
        let path = module["path"] as? String ?? ""
        guard !path.contains(".."), !path.hasPrefix("/") else {
          throw .damaged(file: folder + "/modules.json", reason: "a module path leaves the model")
        }
        let settings = try json(folder, path + "/config.json")
        // sentence-transformers 3 and older: one boolean per mode; newer: `pooling_mode` by name.
        let enabled =
          (settings["pooling_mode"] as? String).map { [$0] }
          ?? settings.filter { $0.key.hasPrefix("pooling_mode_") && ($0.value as? Bool) == true }.map {
            String($0.key.dropFirst("pooling_mode_".count))
          }.sorted()
        switch enabled {
        case ["mean"], ["mean_tokens"]: pooling = 1
        case ["cls"], ["cls_token"]: pooling = 2
        case ["lasttoken"]: pooling = 3
        default: throw .unsupported("\(name) pools by \(enabled.joined(separator: " + ")), which llama.cpp does not do")
        }
      default:
        throw .unsupported("\(name) ends in a \(type.isEmpty ? "unknown" : type) module, which llama.cpp cannot apply")
      }
    }
    return pooling
  }

  func json(_ folder: String, _ file: String) throws(EmbeddingConversionError) -> [String: Any] {
    guard let data = files.contents(folder + "/" + file) else { throw .damaged(file: folder + "/" + file, reason: "it is missing") }
    guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw .damaged(file: folder + "/" + file, reason: "it is not a JSON object")
    }
    return object
  }
}
