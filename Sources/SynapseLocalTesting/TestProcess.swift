import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A real child process for integration tests, stopped (SIGTERM, then SIGKILL) when the test ends.
public final class TestProcess: @unchecked Sendable {
  public let process = Process()
  public let logPath: String

  public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
    logPath = NSTemporaryDirectory() + "synapse-local-test-\(UUID().uuidString).log"
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    try process.run()
  }

  public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  public func stop() {
    guard process.isRunning else { return }
    process.terminate()
    for _ in 0..<50 where process.isRunning { usleep(100_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }

  deinit {
    stop()
    try? FileManager.default.removeItem(atPath: logPath)
  }
}

public enum Loopback {
  /// A TCP port free on 127.0.0.1 right now.
  public static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// The status and body of one HTTP request over loopback.
  public static func request(_ url: String, method: String = "GET", json: [String: Any]? = nil, timeout: TimeInterval = 60) async throws -> (Int, Data) {
    var request = URLRequest(url: URL(string: url)!, timeoutInterval: timeout)
    request.httpMethod = method
    if let json {
      request.httpBody = try JSONSerialization.data(withJSONObject: json)
      request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
  }

  /// Polls `url` until it answers 200, the process dies, or the time is up.
  public static func waitUntilHealthy(_ url: String, process: TestProcess, seconds: Double) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      guard process.process.isRunning else { throw TestFailure("the process exited before \(url) answered:\n\(process.log.suffix(2000))") }
      if let (status, _) = try? await request(url, timeout: 2), status == 200 { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw TestFailure("\(url) did not answer 200 within \(seconds) s:\n\(process.log.suffix(2000))")
  }
}

public struct TestFailure: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Runs a short command and returns its exit status and output (stdout and stderr together).
/// Output goes through a file, and descriptors above stderr are closed before the command starts:
/// a daemon it leaves behind (pg_ctl's postmaster) would otherwise inherit the pipe, or the socket
/// Foundation watches for the child's exit, and the wait would never end.
@discardableResult
public func runCommand(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, String) {
  let path = NSTemporaryDirectory() + "synapse-local-cmd-\(UUID().uuidString).out"
  _ = FileManager.default.createFile(atPath: path, contents: nil)
  defer { try? FileManager.default.removeItem(atPath: path) }
  let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
  defer { try? output.close() }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/bash")
  let closeInherited = #"for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@""#
  process.arguments = ["-c", closeInherited, "run", executable] + arguments
  if let environment { process.environment = environment }
  process.standardOutput = output
  process.standardError = output
  process.standardInput = FileHandle.nullDevice
  try process.run()
  process.waitUntilExit()
  let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
  return (process.terminationStatus, text)
}
