import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// One child's life on a scripted launcher and a manual clock: its exit is awaited, a stop waits
/// its grace on the clock and then kills the group.
@Suite("managed process")
struct ManagedProcessTests {
  let launcher = ScriptedLauncher(files: MemoryFileSystem(roots: ["/run"]))
  let clock = ManualClock()

  func process() -> ManagedProcess {
    ManagedProcess(
      launching: LaunchCommand(
        executable: "/opt/engine", arguments: ["--port", "8080"], environment: ["A": "1"], logPath: "/logs/engine.log"),
      launcher: launcher, time: clock)
  }

  /// Lets the tasks run until `condition` holds (a bounded number of real yields).
  func settle(_ what: String, _ condition: () async -> Bool) async throws {
    for _ in 0..<2000 {
      if await condition() { return }
      try await Task.sleep(for: .milliseconds(1))
    }
    Issue.record("\(what) never came true")
  }

  @Test func itsExitIsAwaitedAndItsCommandIsTheOneLaunched() async throws {
    let process = process()
    let pid = try #require(await process.started())
    #expect(process.pid == pid)
    #expect(!process.hasEnded)
    let launch = try #require(launcher.launches.first)
    #expect(launch.command.executable == "/opt/engine")
    #expect(launch.command.environment == ["A": "1"])
    launcher.exit(pid, status: 3)
    #expect(try await process.awaitExit() == 3)
    #expect(process.hasEnded)
  }

  @Test func aStopAnsweredWithinTheGraceKillsNothing() async throws {
    let process = process()
    let pid = try #require(await process.started())
    await process.stop(signal: SIGINT, grace: .seconds(10))
    #expect(try await process.awaitExit() == 128 + SIGINT)
    #expect(launcher.signals.map { $0.signal } == [SIGINT])
    #expect(launcher.signals.map { $0.pid } == [pid])
    #expect(launcher.killedGroups.isEmpty)
    #expect(clock.sleeping == 0)
  }

  @Test func aStopIgnoredForTheWholeGraceKillsTheGroup() async throws {
    launcher.ignoredSignals = [SIGTERM]
    launcher.killsGroups = true
    let process = process()
    let pid = try #require(await process.started())
    let stopping = Task { await process.stop(signal: SIGTERM, grace: .seconds(10)) }
    try await settle("the grace on the clock") { clock.sleeping == 1 }
    #expect(launcher.signals.map { $0.signal } == [SIGTERM])
    clock.advance(by: 9.9)
    try await Task.sleep(for: .milliseconds(20))
    #expect(!process.hasEnded)
    #expect(launcher.killedGroups.isEmpty)
    clock.advance(by: 0.1)
    await stopping.value
    #expect(launcher.killedGroups == [pid])
    #expect(try await process.awaitExit() == 128 + SIGKILL)
  }

  @Test func aStopFromACancelledTaskStillWaitsItsGraceThenKills() async throws {
    launcher.ignoredSignals = [SIGTERM]
    launcher.killsGroups = true
    let process = process()
    let pid = try #require(await process.started())
    let stopping = Task { await process.stop(signal: SIGTERM, grace: .seconds(5)) }
    stopping.cancel()
    try await settle("the grace on the clock") { clock.sleeping == 1 }
    #expect(!process.hasEnded)
    clock.advance(by: 5)
    await stopping.value
    #expect(launcher.killedGroups == [pid])
  }

  @Test func aStopOfAnEndedProcessSendsNothing() async throws {
    let process = process()
    let pid = try #require(await process.started())
    launcher.exit(pid, status: 0)
    _ = try await process.awaitExit()
    await process.stop(grace: .seconds(10))
    process.signal(SIGTERM)
    #expect(launcher.signals.isEmpty)
  }

  @Test func aKillEndsTheGroupAtOnce() async throws {
    launcher.killsGroups = true
    let process = process()
    let pid = try #require(await process.started())
    process.kill()
    #expect(try await process.awaitExit() == 128 + SIGKILL)
    #expect(launcher.killedGroups == [pid])
  }
}
