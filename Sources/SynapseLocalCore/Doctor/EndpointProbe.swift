import Foundation
import SynapseLocalSystem

/// Requests to the model endpoints as the backend makes them: short limits, JSON in and out.
struct EndpointProbe: Sendable {
  /// The context's transport; each request carries the limit.
  var http: any HTTPTransport
  static let timeout: Duration = .seconds(30)

  func get(_ url: String) async -> (Int, Any?) {
    guard let response = try? await http.send(HTTPRequest(url: url, timeout: Self.timeout), onBody: nil) else { return (0, nil) }
    return (response.status, try? JSONSerialization.jsonObject(with: Data(response.body)))
  }

  func post(_ url: String, _ body: [String: Any]) async -> (Int, Any?) {
    guard let data = try? JSONSerialization.data(withJSONObject: body),
      let response = try? await http.send(
        HTTPRequest(url: url, method: "POST", headers: ["Content-Type": "application/json"], timeout: Self.timeout).withBody(data),
        onBody: nil)
    else { return (0, nil) }
    return (response.status, try? JSONSerialization.jsonObject(with: Data(response.body)))
  }

  /// `LOCAL_*_ENDPOINT` with `/v1` once: the guide's clients append it.
  static func v1(_ endpoint: String) -> String {
    let trimmed = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
    return trimmed.hasSuffix("/v1") ? trimmed : trimmed + "/v1"
  }
}

/// `endpoints.llm`: from the backend's point of view (its `.env`), the chat endpoint lists the
/// model the backend asks for, and answers a one-token chat.
public struct LLMEndpointCheck: DoctorCheck {
  public let id = "endpoints.llm"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    guard let env = subject.env else { return .skipped(id, "no .env: run `synapse-local generate`") }
    guard subject.stack != nil else { return .skipped(id, "the stack is not running (synapse-local up)") }
    guard let endpoint = env["LOCAL_LLM_ENDPOINT"], !endpoint.isEmpty else {
      return .failure(id, ".env has no LOCAL_LLM_ENDPOINT", fix: "synapse-local generate\(subject.projectFlag)")
    }
    let model = env["LOCAL_LLM_MODEL"] ?? subject.configuration.llm.servedName
    let base = EndpointProbe.v1(endpoint)
    let probe = EndpointProbe(http: subject.context.http)
    let (status, body) = await probe.get(base + "/models")
    let expected = "http://127.0.0.1:\(subject.configuration.llm.port)"
    guard status == 200 else {
      return .failure(
        id, "LOCAL_LLM_ENDPOINT \(endpoint) does not answer \(base)/models (\(status == 0 ? "no connection" : "status \(status)"))",
        fix: endpoint.hasPrefix(expected)
          ? "synapse-local restart llm\(subject.projectFlag)"
          : "set LOCAL_LLM_ENDPOINT=\(expected) in .env (synapse-local generate\(subject.projectFlag) writes it)")
    }
    let served = ((body as? [String: Any])?["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
    guard served.contains(model) else {
      return .failure(
        id, "the backend asks for \(model) (LOCAL_LLM_MODEL), the endpoint serves \(served.joined(separator: ", "))",
        fix: "synapse-local generate\(subject.projectFlag), then restart the backend")
    }
    let (chat, _) = await probe.post(
      base + "/chat/completions", ["model": model, "messages": [["role": "user", "content": "Hi"]], "max_tokens": 1])
    guard chat == 200 else {
      return .failure(
        id, "\(base)/chat/completions answered \(chat) to a one-token request", fix: "synapse-local logs llm\(subject.projectFlag)")
    }
    return .ok(id, "\(base) serves \(model) and answers a one-token chat")
  }
}

/// `endpoints.embedding`: the embedding endpoint answers with vectors of
/// `LOCAL_EMBEDDING_DIMENSIONS`.
public struct EmbeddingEndpointCheck: DoctorCheck {
  public let id = "endpoints.embedding"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    guard let env = subject.env else { return .skipped(id, "no .env: run `synapse-local generate`") }
    guard subject.stack != nil else { return .skipped(id, "the stack is not running (synapse-local up)") }
    guard let endpoint = env["LOCAL_EMBEDDING_ENDPOINT"], !endpoint.isEmpty else {
      return .failure(id, ".env has no LOCAL_EMBEDDING_ENDPOINT", fix: "synapse-local generate\(subject.projectFlag)")
    }
    let base = EndpointProbe.v1(endpoint)
    let (status, body) = await EndpointProbe(http: subject.context.http).post(
      base + "/embeddings", ["input": "doctor", "model": env["LOCAL_EMBEDDING_MODEL"] ?? subject.configuration.embedding.servedName])
    guard status == 200,
      let vector = (((body as? [String: Any])?["data"] as? [[String: Any]])?.first?["embedding"] as? [Any])
    else {
      return .failure(
        id, "LOCAL_EMBEDDING_ENDPOINT \(endpoint) gives no embedding (\(status == 0 ? "no connection" : "status \(status)"))",
        fix: "synapse-local restart embedding\(subject.projectFlag); synapse-local logs embedding\(subject.projectFlag)")
    }
    let declared = Int(env["LOCAL_EMBEDDING_DIMENSIONS"] ?? "") ?? 0
    guard vector.count == declared else {
      return .failure(
        id, "the server returns \(vector.count)-dimension vectors, LOCAL_EMBEDDING_DIMENSIONS says \(declared)",
        fix:
          "set embedding.dimensions: \(vector.count) and run synapse-local generate\(subject.projectFlag); stored vectors must be re-embedded"
      )
    }
    return .ok(id, "\(base) returns \(vector.count)-dimension vectors, as LOCAL_EMBEDDING_DIMENSIONS says")
  }
}
