import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// A release that cannot be reached is said once: "cannot reach URL: why", not the transport's own
/// "cannot reach URL: …" wrapped in another (issue 37's measured defect).
@Suite("an unreachable release")
struct ReleaseUnreachableTests {
  /// A transport that fails the way curl does when nothing listens.
  struct Refusing: HTTPTransport {
    func send(_ request: HTTPRequest, onBody: BodyHandler?) async throws -> HTTPResponse {
      throw HTTPError.transport(url: request.url, reason: "Connection refused")
    }
  }

  @Test func theURLAndTheReasonAreSaidOnce() async throws {
    let retry = RetryPolicy(attempts: 1, baseDelay: .zero, maxDelay: .zero, sleep: { _ in })
    let client = ReleaseClient(api: "http://127.0.0.1:9/api", downloads: "http://127.0.0.1:9/dl", transport: Refusing(), retry: retry)
    for attempt in [
      { _ = try await client.assets(repository: "ggml-org/llama.cpp", tag: "b11541") },
      { _ = try await client.location(of: "http://127.0.0.1:9/dl/llama.tar.gz") },
    ] as [@Sendable () async throws -> Void] {
      await #expect {
        try await attempt()
      } throws: { error in
        let message = String(describing: error)
        return message.components(separatedBy: "cannot reach").count == 2 && message.contains("Connection refused")
          && message.contains("SYNAPSE_LOCAL_ENGINE_MIRROR")
      }
    }
  }
}
