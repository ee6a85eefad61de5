import Foundation

/// An engine started only to be measured: on a free loopback port, its output in a log, stopped
/// when the measurement ends, fails or is cancelled.
struct EngineTrial: Sendable {
  var context: Context
  var executable: String
  /// The command line for a port.
  var arguments: @Sendable (Int) -> [String]
  var environment: [String: String]
  var logPath: String
  /// How long the engine may take to load the model.
  var readiness: Duration = .seconds(300)

  /// Starts the engine, waits for `/health`, runs `body` with its base URL and pid, then stops it.
  func run<T: Sendable>(_ body: @Sendable (String, Int32) async throws -> T) async throws -> T {
    let port = try PortProbe.freePort()
    // One log per trial: a failure's tail is this run's, not an earlier one's.
    try? context.files.write("", to: logPath)
    let command = LaunchCommand(executable: executable, arguments: arguments(port), environment: environment, logPath: logPath)
    let pid = PidBox()
    let launcher = context.launcher
    let process = Task {
      let status = (try? await launcher.run(command, started: { await pid.set($0) })) ?? -1
      await pid.end(status)
    }
    let base = "http://127.0.0.1:\(port)"
    return try await withTaskCancellationHandler {
      do {
        try await waitUntilHealthy(base, pid: pid)
        let started = await pid.value ?? 0
        let result = try await body(base, started)
        await stopUncancelled(process, pid: pid)
        return result
      } catch {
        await stopUncancelled(process, pid: pid)
        throw error
      }
    } onCancel: {
      Task { if let id = await pid.value { launcher.signal(id, SIGTERM) } }
    }
  }

  func waitUntilHealthy(_ base: String, pid: PidBox) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + readiness
    let http = CurlTransport(totalSeconds: 2)
    while clock.now < deadline {
      try Task.checkCancellation()
      if let response = try? await http.send(HTTPRequest(url: base + "/health"), onBody: nil), response.status == 200 { return }
      if await pid.exitStatus != nil {
        throw BenchError.engine("the engine exited before it was ready; its log, \(logPath), ends:\n\(logTail())")
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw BenchError.engine("the engine was not ready after \(readiness); its log, \(logPath), ends:\n\(logTail())")
  }

  /// Stopping must finish even when the measurement was cancelled: it runs in a task of its own.
  func stopUncancelled(_ process: Task<Void, Never>, pid: PidBox) async {
    let trial = self
    await Task.detached { await trial.stop(process, pid: pid) }.value
  }

  /// SIGTERM, then SIGKILL to the group after 10 s. A launch still under way gets 2 s to report
  /// its pid.
  func stop(_ process: Task<Void, Never>, pid: PidBox) async {
    for _ in 0..<20 {
      let launched = await pid.value != nil
      let ended = await pid.exitStatus != nil
      if launched || ended { break }
      try? await Task.sleep(for: .milliseconds(100))
    }
    await terminate(process, pid: pid)
  }

  /// SIGTERM, then SIGKILL to the group after 10 s.
  func terminate(_ process: Task<Void, Never>, pid: PidBox) async {
    guard let id = await pid.value, await pid.exitStatus == nil else { return }
    context.launcher.signal(id, SIGTERM)
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(10)
    while clock.now < deadline {
      if await pid.exitStatus != nil { return }
      try? await Task.sleep(for: .milliseconds(100))
    }
    context.launcher.killLeftover(id)
    await process.value
  }

  func logTail() -> String {
    let text = context.files.readText(logPath) ?? ""
    return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(12).joined(separator: "\n")
  }
}

/// The engine's pid once it runs, and its exit status once it ends.
actor PidBox {
  var value: Int32?
  var exitStatus: Int32?
  func set(_ pid: Int32) { value = pid }
  func end(_ status: Int32) { exitStatus = status }
}
