import Foundation
import SynapseLocalSystem

/// Whether a chat model can format a conversation. A GGUF without `tokenizer.chat_template` is
/// served with llama-server's fallback, ChatML; a model trained on other markers then echoes the
/// question and the markers (`What is the capital of France?<|im_end|>…`). The catalog records the
/// built-in template such a model needs, and `llm.chat_template` passes it (`--chat-template`).
public enum ChatTemplate {
  public static let metadataKey = "tokenizer.chat_template"

  /// A built-in template's name: lowercase letters, digits, `.`, `-` and `_`, at most 64.
  public static func isName(_ text: String) -> Bool {
    guard let first = text.first, first.isASCII, first.isLetter || first.isNumber, text.count <= 64 else { return false }
    return text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }
  }

  /// The warning for a chat model's file, or nil when it can chat: it carries a template, or the
  /// plan names one. `model` is how the user knows it; `suggestion` the catalog's template.
  public static func warning(file: GGUFFile, model: String, configured: String, suggestion: String?) -> String? {
    warning(metadata: file.metadata, model: model, configured: configured, suggestion: suggestion)
  }

  /// Encoders (embedding and reranking models) never chat: no template is expected of them.
  static let encoderArchitectures: Set<String> = ["bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "t5encoder", "modern-bert"]

  public static func warning(metadata: [(key: String, value: GGUFValue)], model: String, configured: String, suggestion: String?)
    -> String?
  {
    guard configured.isEmpty, !metadata.contains(where: { $0.key == metadataKey }) else { return nil }
    if case .string(let architecture)? = metadata.first(where: { $0.key == "general.architecture" })?.value,
      encoderArchitectures.contains(architecture)
    {
      return nil
    }
    let fix =
      suggestion.map { "set llm.chat_template: \($0) (the catalog's for this model)" }
      ?? "set llm.chat_template to the template it was trained with (gemma, llama3, chatml, …; llama-server --help lists them)"
    return
      "\(model) carries no chat template (\(metadataKey)): llama-server falls back to ChatML and replies echo the prompt and its markers; \(fix)"
  }
}
