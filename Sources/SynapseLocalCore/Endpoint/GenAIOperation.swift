import NIOHTTP1

/// What a request asks of the engine, as OpenTelemetry's `gen_ai.operation.name` names it; nil for
/// what is no generative operation (the model list, health, metrics).
enum GenAIOperation: String, Sendable {
  case chat
  case textCompletion = "text_completion"
  case embeddings

  init?(_ head: HTTPRequestHead) {
    guard head.method == .POST else { return nil }
    let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
    switch path {
    case "/v1/chat/completions", "/chat/completions", "/v1/responses", "/v1/messages": self = .chat
    case "/v1/completions", "/completions", "/completion": self = .textCompletion
    case "/v1/embeddings", "/embeddings", "/embedding": self = .embeddings
    default: return nil
    }
  }
}
