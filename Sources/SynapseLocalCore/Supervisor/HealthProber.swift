import Foundation
import SynapseLocalSystem

/// Runs a service's health check once: true when it answers as a healthy service does.
public struct HealthProber: Sendable {
  /// Marks our checks, so a service may keep them out of its log (the generated embedding server
  /// does; templates/embedding/embedding_server.py.mustache names the same header).
  public static let probeHeader = "X-Synapse-Local-Probe"

  public var transport: any HTTPTransport
  public var processes: any ProcessRunner
  /// Each check's limit: a service that does not answer within it is not healthy.
  public var timeout: Duration

  public init(transport: any HTTPTransport, processes: any ProcessRunner, timeout: Duration = .seconds(5)) {
    self.transport = transport
    self.processes = processes
    self.timeout = timeout
  }

  public func isHealthy(_ check: HealthCheck) async -> Bool {
    switch check {
    case .http(let url):
      return await status(url) == 200
    case .embedding(let base, let dimensions):
      guard await status(base + "/health") == 200 else { return false }
      // One real embedding of the right size: a server that loaded the wrong model is not healthy.
      let body = Data(#"{"input": "health check"}"#.utf8)
      guard
        let response = try? await send(
          HTTPRequest(
            url: base + "/v1/embeddings", method: "POST", headers: ["Content-Type": "application/json", Self.probeHeader: "1"],
            timeout: timeout),
          body: body),
        response.status == 200,
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
        let vector = (object["data"] as? [[String: Any]])?.first?["embedding"] as? [Any]
      else { return false }
      return vector.count == dimensions
    case .postgres(let psql, let socket, let port, let user, let password):
      let runner = processes.adding(environment: ["PGPASSWORD": password])
      guard
        let result = try? await runner.run(
          psql, ["-h", socket, "-p", String(port), "-U", user, "-d", "postgres", "-tAc", "SELECT 1"], timeout: timeout)
      else { return false }
      return result.status == 0 && result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }
  }

  func status(_ url: String) async -> Int {
    (try? await transport.send(HTTPRequest(url: url, headers: [Self.probeHeader: "1"], timeout: timeout), onBody: nil).status) ?? 0
  }

  func send(_ request: HTTPRequest, body: Data) async throws -> HTTPResponse {
    try await transport.send(request.withBody(body), onBody: nil)
  }
}
