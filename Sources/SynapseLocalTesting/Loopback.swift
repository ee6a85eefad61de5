import Foundation
import Subprocess
import SynapseLocalCore
import SynapseLocalSystem

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

public enum Loopback {
  /// A TCP port free on 127.0.0.1 right now.
  public static func freePort() throws -> Int { try ports.freePort() }

  /// The machine's ports, for integration tests that start real servers.
  public static let ports = LoopbackPorts(table: ProcessTable(system: RootedFileSystem()))

  /// The status and body of one HTTP request over loopback.
  public static func request(_ url: String, method: String = "GET", json: [String: Any]? = nil, timeout: TimeInterval = 60) async throws
    -> (Int, Data)
  {
    var request = URLRequest(url: URL(string: url)!, timeoutInterval: timeout)
    request.httpMethod = method
    if let json {
      request.httpBody = try JSONSerialization.data(withJSONObject: json)
      request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
  }

  /// Polls `url` until it answers 200 (or anything, with `acceptAnyStatus`), the process dies, or
  /// the time is up.
  public static func waitUntilHealthy(_ url: String, process: TestProcess, seconds: Double, acceptAnyStatus: Bool = false) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      guard process.isRunning else { throw TestFailure("the process exited before \(url) answered:\n\(process.log.suffix(2000))") }
      if let (status, _) = try? await request(url, timeout: 2), status == 200 || (acceptAnyStatus && status > 0) { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw TestFailure("\(url) did not answer 200 within \(seconds) s:\n\(process.log.suffix(2000))")
  }
}
