import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// A measured engine's life on a scripted launcher, scripted HTTP and a manual clock: it is waited
/// for until healthy, measured, then stopped with SIGTERM; one that dies or never loads is an
/// error with its log's tail.
@Suite("engine trial")
struct EngineTrialTests {
  let launcher = ScriptedLauncher(files: MemoryFileSystem(roots: ["/logs"]))
  let clock = ManualClock()
  let http = ScriptedHTTP()
  let files = MemoryFileSystem(roots: ["/logs"])

  func trial(readiness: Duration = .seconds(300)) -> EngineTrial {
    let context = Context(
      system: MemoryFileSystem(roots: ["/proc"]), environment: [:], processes: StubProcessRunner(), files: files, time: clock,
      launcher: launcher, ports: ScriptedPorts(handOut: [39_801]), http: http)
    return EngineTrial(
      context: context, executable: "/opt/llama-server", arguments: { ["--port", String($0)] }, environment: [:],
      logPath: "/logs/bench.log", readiness: readiness)
  }

  func health(_ status: Int) {
    http.answer { $0.url.hasSuffix("/health") ? HTTPResponse(status: status) : nil }
  }

  func settle(_ what: String, _ condition: () async -> Bool) async throws {
    for _ in 0..<2000 {
      if await condition() { return }
      try await Task.sleep(for: .milliseconds(1))
    }
    Issue.record("\(what) never came true")
  }

  @Test func aHealthyEngineIsMeasuredThenStopped() async throws {
    health(200)
    let value = try await trial().run { base, pid in "\(base.hasPrefix("http://127.0.0.1:")) \(pid)" }
    let launch = try #require(launcher.launches.first)
    #expect(value == "true \(launch.pid)")
    #expect(launcher.signals.map { $0.signal } == [SIGTERM])
    #expect(launcher.runningPIDs.isEmpty)
  }

  @Test func anEngineThatExitsWhileLoadingIsAnErrorWithItsLog() async throws {
    health(503)
    let running = Task { try await trial().run { _, _ in 0 } }
    try await settle("the launch and the first health check's pause") { clock.sleeping == 1 && !launcher.launches.isEmpty }
    let pid = try #require(launcher.launches.first?.pid)
    try files.write(Data("loading\nout of memory\n".utf8), to: "/logs/bench.log", permissions: 0o600)
    launcher.exit(pid, status: 1)
    clock.advance(by: 0.2)
    let error = await #expect(throws: BenchError.self) { try await running.value }
    #expect((error.map { "\($0)" } ?? "").contains("exited before it was ready"))
    #expect((error.map { "\($0)" } ?? "").contains("out of memory"))
    #expect(launcher.signals.isEmpty)
  }

  @Test func anEngineNotReadyInTimeIsStoppedAndKilledAfterItsGrace() async throws {
    health(503)
    launcher.ignoredSignals = [SIGTERM]
    launcher.killsGroups = true
    let running = Task { try await trial(readiness: .seconds(1)).run { _, _ in 0 } }
    for _ in 0..<5 {
      try await settle("a health check's pause") { clock.sleeping == 1 }
      clock.advance(by: 0.2)
    }
    try await settle("the stop's grace") { clock.sleeping == 1 && !launcher.signals.isEmpty }
    #expect(launcher.signals.map { $0.signal } == [SIGTERM])
    clock.advance(by: 10)
    let error = await #expect(throws: BenchError.self) { try await running.value }
    #expect((error.map { "\($0)" } ?? "").contains("was not ready after"))
    #expect(launcher.killedGroups == launcher.launches.map(\.pid))
  }
}
