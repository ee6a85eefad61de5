import Foundation
import SynapseLocalSystem

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
