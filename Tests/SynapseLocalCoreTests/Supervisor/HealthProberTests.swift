import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The supervisor's checks say they are checks, so a service can keep them out of its log.
@Suite("health probes")
struct HealthProberTests {
  @Test func everyProbeRequestCarriesTheProbeHeader() async {
    let http = ScriptedHTTP { request in
      // Unmarked, it would be answered as a failure.
      guard request.headers[HealthProber.probeHeader] == "1" else { return HTTPResponse(status: 400) }
      if request.url.hasSuffix("/v1/embeddings") {
        return HTTPResponse(status: 200, body: Array(#"{"data": [{"embedding": [0.1, 0.2, 0.3]}]}"#.utf8))
      }
      return HTTPResponse(status: 200)
    }
    let prober = HealthProber(transport: http, processes: StubProcessRunner())
    #expect(await prober.isHealthy(.http(url: "http://127.0.0.1:8080/health")))
    #expect(await prober.isHealthy(.embedding(base: "http://127.0.0.1:8081", dimensions: 3)))
    #expect(http.requests == ["http://127.0.0.1:8080/health", "http://127.0.0.1:8081/health", "http://127.0.0.1:8081/v1/embeddings"])
    // The context's transport has no limit of its own: each check carries one.
    #expect(http.timeouts == [.seconds(5), .seconds(5), .seconds(5)])
  }

  /// A service that accepts the connection and never answers is unhealthy once the check's limit
  /// passes, not a monitor stuck for ever.
  @Test func aServerThatNeverAnswersIsUnhealthy() async {
    let http = ScriptedHTTP { _ in ScriptedHTTP.unanswered }
    let prober = HealthProber(transport: http, processes: StubProcessRunner(), timeout: .seconds(1))
    #expect(await !prober.isHealthy(.http(url: "http://127.0.0.1:8080/health")))
    #expect(http.timeouts == [.seconds(1)])
  }
}
