import Foundation
import SynapseLocalSystem

/// `llm.template`: the chat model can format a conversation: its GGUF carries a chat template, or
/// `llm.chat_template` names a built-in one. Without either, llama-server falls back to ChatML and
/// a model trained on other markers echoes the question and the markers.
public struct ChatTemplateCheck: DoctorCheck {
  public let id = "llm.template"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    guard c.engine == .llamaCpp else { return .skipped(id, "vLLM reads the template from the model's tokenizer files") }
    guard let path = subject.llmPath, let file = try? GGUFReader.read(path: path, files: subject.context.files) else {
      return .skipped(id, "the chat model's file is not at hand (model.files)")
    }
    let suggestion = c.llm.model.catalogID.flatMap { try? subject.catalog.model(id: $0) }?.chatTemplate
    if let warning = ChatTemplate.warning(
      file: file, model: c.llm.model.description, configured: c.llm.chatTemplate, suggestion: suggestion)
    {
      return .warning(
        id, warning,
        fix: "set llm.chat_template: \(suggestion ?? "NAME") in synapse-local.yaml, then synapse-local restart llm\(subject.projectFlag)")
    }
    return .ok(
      id, c.llm.chatTemplate.isEmpty ? "the model file carries its chat template" : "llama-server's built-in \(c.llm.chatTemplate) template"
    )
  }
}
