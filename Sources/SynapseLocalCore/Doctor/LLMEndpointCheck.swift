import Foundation
import SynapseLocalSystem

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
