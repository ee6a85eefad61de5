import Foundation
import SynapseLocalSystem

/// An engine started only to be measured: on a free loopback port, its output in a log, stopped
/// when the measurement ends, fails or is cancelled. Its waits run on the context's clock.
struct EngineTrial: Sendable {
  var context: Context
  var executable: String
  /// The command line for a port.
  var arguments: @Sendable (Int) -> [String]
  var environment: [String: String]
  var logPath: String
  /// How long the engine may take to load the model.
  var readiness: Duration = .seconds(300)
  /// How long the engine has between SIGTERM and SIGKILL to its group.
  static let grace: Duration = .seconds(10)

  /// Starts the engine, waits for `/health`, runs `body` with its base URL and pid, then stops it.
  func run<T: Sendable>(_ body: @Sendable (String, Int32) async throws -> T) async throws -> T {
    let port = try context.ports.freePort()
    // One log per trial: a failure's tail is this run's, not an earlier one's.
    try? context.files.write("", to: logPath)
    let command = LaunchCommand(executable: executable, arguments: arguments(port), environment: environment, logPath: logPath)
    let process = ManagedProcess(launching: command, in: context)
    let base = "http://127.0.0.1:\(port)"
    return try await withTaskCancellationHandler {
      do {
        try await waitUntilHealthy(base, process: process)
        let result = try await body(base, await process.started() ?? 0)
        await process.stop(signal: SIGTERM, grace: Self.grace)
        return result
      } catch {
        await process.stop(signal: SIGTERM, grace: Self.grace)
        throw error
      }
    } onCancel: {
      process.signal(SIGTERM)
    }
  }

  func waitUntilHealthy(_ base: String, process: ManagedProcess) async throws {
    let time = context.time
    let deadline = time.now.addingTimeInterval(Self.seconds(readiness))
    let http = Self.probeTransport(context.http)
    while time.now < deadline {
      try Task.checkCancellation()
      if let response = try? await http.send(HTTPRequest(url: base + "/health"), onBody: nil), response.status == 200 { return }
      if process.hasEnded {
        throw BenchError.engine("the engine exited before it was ready; its log, \(logPath), ends:\n\(logTail())")
      }
      try await time.sleep(for: .milliseconds(200))
    }
    throw BenchError.engine("the engine was not ready after \(readiness); its log, \(logPath), ends:\n\(logTail())")
  }

  /// The context's transport, each health check given 2 s in all when it is libcurl (a loading
  /// engine may accept the connection and answer nothing).
  static func probeTransport(_ http: any HTTPTransport) -> any HTTPTransport {
    guard var curl = http as? CurlTransport else { return http }
    curl.totalSeconds = 2
    return curl
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  func logTail() -> String {
    let text = context.files.readText(logPath) ?? ""
    return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(12).joined(separator: "\n")
  }
}
