import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The supervisor with no processes and no real time: a scripted launcher, scripted health answers
/// and a manual clock. Restarts, backoff, crash loops, liveness, readiness limits and swaps, each
/// in milliseconds.
@Suite("supervisor on a manual clock")
struct SupervisorClockTests {
  let base = "/stack"
  let clock = ManualClock()
  let files: MemoryFileSystem
  let launcher: ScriptedLauncher
  let http = ScriptedHTTP { _ in HTTPResponse(status: 200) }

  /// The service every keeper's pid file names, alive in the fake /proc.
  static let servicePID: Int32 = 4242

  init() {
    files = MemoryFileSystem(roots: ["/stack", "/proc"])
    try? files.write(
      "\(Self.servicePID) (llama-server) S 1" + String(repeating: " 0", count: 17) + " 123456\n", to: "/proc/\(Self.servicePID)/stat")
    launcher = ScriptedLauncher(files: files)
    // The keeper's pid file names a live process, as a real keeper's names its service.
    launcher.pidFileLine = ProcessRecord.line(Self.servicePID, table: ProcessTable(system: files))
  }

  func settings() -> Supervisor.Settings {
    var settings = Supervisor.Settings(keeperExecutable: "/stack/bin/synapse-local", runFolder: base + "/run", logFolder: base + "/logs")
    settings.readinessInterval = .milliseconds(500)
    settings.livenessInterval = .seconds(5)
    settings.livenessFailures = 3
    settings.crashLoopLimit = 3
    settings.backoffBase = .seconds(1)
    settings.backoffCap = .seconds(30)
    settings.checksPorts = false
    return settings
  }

  func spec(_ name: ServiceName = .db, port: Int = 5432, readiness: Double = 10) -> ServiceSpec {
    ServiceSpec(
      name: name, executable: "/usr/bin/postgres", arguments: ["-p", String(port)], environment: [:], port: port,
      health: .http(url: "http://127.0.0.1:\(port)/health"), readinessSeconds: readiness)
  }

  /// Fakes for every effect: /proc is the fake one in `files`.
  func context(output: any OutputSink = SilentOutput()) -> Context {
    .testing(system: files, files: files, time: clock, launcher: launcher, http: http, output: output)
  }

  func supervisor(_ specs: [ServiceSpec]) -> Supervisor {
    Supervisor(project: base, specs: specs, settings: settings(), context: context())
  }

  /// Lets the supervisor's tasks run until `condition` holds (a bounded number of real yields).
  func settle(_ what: String = "the condition", _ condition: () async -> Bool) async throws {
    for _ in 0..<2000 {
      if await condition() { return }
      try await Task.sleep(for: .milliseconds(1))
    }
    Issue.record("\(what) never came true")
  }

  /// Waits until `sleepers` tasks sleep on the clock (each service's health monitor, a readiness
  /// limit being waited out, a backoff pause), then moves it on: a deadline is never set after
  /// the clock has passed it.
  func advance(_ seconds: Double, once sleepers: Int = 1) async throws {
    try await settle("\(sleepers) sleeper(s) on the clock") { clock.sleeping >= sleepers }
    clock.advance(by: seconds)
  }

  func start(_ supervisor: Supervisor) async throws -> Task<Void, any Error> {
    let starting = Task { try await supervisor.start() }
    try await settle("the first launch") { !launcher.launches.isEmpty }
    // Its health monitor and the readiness limit.
    try await advance(0.5, once: 2)
    try await settle("healthy") { await supervisor.status().services.allSatisfy { $0.state == .healthy } }
    return starting
  }

  @Test func aCrashIsRestartedAfterAGrowingPauseAndACrashLoopIsMarkedFailed() async throws {
    let supervisor = supervisor([spec()])
    try await start(supervisor).value
    #expect(launcher.launches.count == 1)
    let command = try #require(launcher.launches.first?.command)
    #expect(command.arguments.prefix(3) == ["keeper", "--pid-file", "/stack/run/db.pid"])
    #expect(command.arguments.suffix(3) == ["/usr/bin/postgres", "-p", "5432"])
    #expect(command.logPath == "/stack/logs/db.log")

    launcher.exit(launcher.launches[0].pid, status: 1)
    try await settle("restarting") { await supervisor.status().services[0].state == .restarting }
    // 1 s of backoff: nothing at 0.9 s, the second run at 1 s.
    try await advance(0.9, once: 2)
    #expect(launcher.launches.count == 1)
    clock.advance(by: 0.1)
    try await settle("the second run") { launcher.launches.count == 2 }

    launcher.exit(launcher.launches[1].pid, status: 1)
    try await settle("restarting again") { await supervisor.status().services[0].restarts == 2 }
    // 2 s this time.
    try await advance(1.5, once: 2)
    #expect(launcher.launches.count == 2)
    clock.advance(by: 0.5)
    try await settle("the third run") { launcher.launches.count == 3 }

    launcher.exit(launcher.launches[2].pid, status: 7)
    try await settle("failed") { await supervisor.status().services[0].state == .failed }
    let status = await supervisor.status().services[0]
    #expect(status.restarts == 2 && status.lastExit == 7 && status.pid == nil)
    #expect(status.message?.hasPrefix("exited 3 times in a row (last status 7); last lines of its log:") == true)
    // A failed service stays down, however long we wait.
    clock.advance(by: 600)
    try await Task.sleep(for: .milliseconds(20))
    #expect(launcher.launches.count == 3)
    // Until `restart` asks for it.
    try await supervisor.restart(.db)
    try await settle("the fourth run") { launcher.launches.count == 4 }
    await supervisor.stop()
    #expect(launcher.runningPIDs.isEmpty)
  }

  /// Issue 35, defect 16: the supervisor's log says each exit with its cause and what followed,
  /// and status keeps the last one; a restart asked for is told from a crash.
  @Test func eachExitIsLoggedWithItsCauseAndStatusShowsTheLastOne() async throws {
    let output = RecordingOutput()
    let supervisor = Supervisor(project: base, specs: [spec(.llm, port: 8080)], settings: settings(), context: context(output: output))
    try await start(supervisor).value
    launcher.exit(launcher.launches[0].pid, status: 137)
    try await settle("restarting") { await supervisor.status().services[0].state == .restarting }
    try await settle("the exit logged") { !output.infos.isEmpty }
    #expect(output.infos.last?.hasSuffix(" llm exited: killed by signal 9 (SIGKILL); restarting in 1 s, restart 1 of 2") == true)
    var status = await supervisor.status().services[0]
    #expect(status.lastExit == 137 && status.lastExitCause == "killed by signal 9 (SIGKILL)" && status.crashes == 1)
    #expect(status.lastExitWasCrash == true && status.lastExitAt == clock.now)
    try await advance(1, once: 2)
    try await settle("the second run") { launcher.launches.count == 2 }
    // Its readiness polls, every 0.5 s on the clock.
    for _ in 0..<10 {
      if await supervisor.status().services[0].state == .healthy { break }
      try await advance(0.5)
    }
    #expect(await supervisor.status().services[0].state == .healthy)

    try await supervisor.restart(.llm)
    try await settle("the restart logged") { output.infos.last?.contains(" llm stopped for the restart asked for") == true }
    #expect(
      output.infos.last?.hasSuffix(" llm stopped for the restart asked for: killed by signal 15 (SIGTERM); starting it again") == true)
    status = await supervisor.status().services[0]
    #expect(status.restarts == 2 && status.crashes == 1 && status.lastExitWasCrash == false)
    await supervisor.stop()
  }

  @Test func aServiceThatStopsAnsweringIsRestartedAfterThreeMissedChecks() async throws {
    let supervisor = supervisor([spec()])
    try await start(supervisor).value
    let first = launcher.launches[0].pid
    http.answer { _ in HTTPResponse(status: 503) }
    for _ in 0..<2 {
      try await advance(5)
      try await settle("unhealthy") { await supervisor.status().services[0].state == .unhealthy }
    }
    #expect(launcher.launches.count == 1)
    try await advance(5)
    // The third miss: the keeper is told to stop the group, and the run comes back at once.
    try await settle("the restart") { launcher.launches.count == 2 }
    #expect(!launcher.runningPIDs.contains(first))
    http.answer { _ in HTTPResponse(status: 200) }
    try await advance(0.5)
    try await settle("healthy again") { await supervisor.status().services[0].state == .healthy }
    let status = await supervisor.status().services[0]
    #expect(status.restarts == 1 && status.message == "restarted: no answer to 3 health checks in a row")
    await supervisor.stop()
  }

  @Test func aServiceNotHealthyWithinItsLimitStopsTheStartWithNothingLeft() async throws {
    http.answer { _ in HTTPResponse(status: 503) }
    let supervisor = supervisor([spec(readiness: 3)])
    let began = clock.now
    let starting = Task { try await supervisor.start() }
    try await settle("the launch") { !launcher.launches.isEmpty }
    // Until the start gives up (the readiness limit runs from when the wait began).
    while launcher.runningPIDs.count > 0 && clock.now.timeIntervalSince(began) < 10 {
      try await advance(0.5)
      try await Task.sleep(for: .milliseconds(2))
    }
    #expect(clock.now.timeIntervalSince(began) >= 3)
    await #expect(throws: StackError.unhealthy(service: .db, seconds: 3, logTail: "(no log at /stack/logs/db.log)")) {
      try await starting.value
    }
    #expect(launcher.runningPIDs.isEmpty)
    #expect(await supervisor.status().services[0].state == .stopped)
  }

  @Test func servicesStartLevelByLevelEachOnceTheOnesBeforeAreHealthy() async throws {
    http.answer { request in HTTPResponse(status: request.url.contains(":5432/") ? 200 : 503) }
    let supervisor = supervisor([spec(.backend, port: 3000), spec(.db, port: 5432), spec(.llm, port: 8080)])
    let starting = Task { try await supervisor.start() }
    try await settle("db's launch") { launcher.launches.count == 1 }
    #expect(launcher.launches.first?.command.logPath.hasSuffix("/db.log") == true)
    try await advance(0.5, once: 2)
    try await settle("llm's launch") { launcher.launches.count == 2 }
    #expect(launcher.launches.last?.command.logPath.hasSuffix("/llm.log") == true)
    // llm still loading: the backend waits (monitors of db and llm, llm's readiness limit).
    try await advance(0.5, once: 3)
    try await Task.sleep(for: .milliseconds(20))
    #expect(launcher.launches.count == 2)
    http.answer { _ in HTTPResponse(status: 200) }
    try await advance(0.5, once: 3)
    try await settle("backend's launch") { launcher.launches.count == 3 }
    try await advance(0.5, once: 4)
    try await starting.value
    await supervisor.stop()
    #expect(launcher.runningPIDs.isEmpty)
  }

  @Test func stopDuringABackoffEndsItAtOnce() async throws {
    let supervisor = supervisor([spec()])
    try await start(supervisor).value
    launcher.exit(launcher.launches[0].pid, status: 1)
    try await settle("restarting") { await supervisor.status().services[0].state == .restarting }
    await supervisor.stop()
    #expect(await supervisor.status().services[0].state == .stopped)
    clock.advance(by: 60)
    try await Task.sleep(for: .milliseconds(20))
    #expect(launcher.launches.count == 1)
  }

  @Test func aRestartThatArrivesWhileTheStackStopsStartsNothing() async throws {
    let supervisor = supervisor([spec()])
    try await start(supervisor).value
    await supervisor.stop()
    #expect(SupervisorError.stackStopping.description == "the stack is stopping")
    await #expect(throws: SupervisorError.stackStopping) { try await supervisor.restart(.db) }
    try await Task.sleep(for: .milliseconds(20))
    #expect(launcher.launches.count == 1 && launcher.runningPIDs.isEmpty)
  }

  /// `restart` waits: not answered by the run it replaced, only once the new run is healthy.
  @Test(.timeLimit(.minutes(1))) func waitingAfterARestartEndsWhenTheNewRunIsHealthy() async throws {
    let supervisor = supervisor([spec()])
    try await start(supervisor).value
    try await supervisor.restart(.db)
    let waiting = Task { try await supervisor.waitUntilHealthy(.db) }
    try await settle("the second run") { launcher.launches.count == 2 }
    try await Task.sleep(for: .milliseconds(20))
    #expect(await supervisor.status().services[0].state == .starting)
    // Still waiting: the old run's health counts for nothing. The monitor looks again once its
    // liveness pause (5 s) is over.
    try await advance(4, once: 2)
    try await Task.sleep(for: .milliseconds(20))
    #expect(await supervisor.status().services[0].state == .starting)
    clock.advance(by: 1)
    try await waiting.value
    #expect(await supervisor.status().services[0].state == .healthy)
    await supervisor.stop()
  }

  /// A restarted service that is not healthy within the limit: the wait says so and why, and the
  /// service goes on starting (a restart stops nothing else).
  @Test(.timeLimit(.minutes(1))) func waitingAfterARestartGivesUpAtItsLimitWithTheReason() async throws {
    let supervisor = supervisor([spec(readiness: 3)])
    try await start(supervisor).value
    http.answer { _ in HTTPResponse(status: 503) }
    try await supervisor.restart(.db)
    let waiting = Task { try await supervisor.waitUntilHealthy(.db, seconds: 2) }
    try await settle("the second run") { launcher.launches.count == 2 }
    var done = false
    for _ in 0..<8 where !done {
      try await advance(0.5)
      try await Task.sleep(for: .milliseconds(5))
      done = await supervisor.status().services[0].state != .starting
    }
    let stillStarting = SupervisorError.stillStarting(service: .db, waited: "2", logTail: "(no log at /stack/logs/db.log)")
    #expect(
      stillStarting.description
        == "db is not healthy after 2 s; it is still starting (`synapse-local status` shows it). Last lines of its log:\n(no log at /stack/logs/db.log)"
    )
    await #expect(throws: stillStarting) { try await waiting.value }
    #expect(await supervisor.status().services[0].state == .starting)
    #expect(launcher.runningPIDs.count == 1)
    // A crash loop after a restart: the wait ends with it.
    let crashing = Task { try await supervisor.waitUntilHealthy(.db, seconds: 600) }
    for _ in 0..<3 {
      let count = launcher.launches.count
      launcher.exit(launcher.launches[count - 1].pid, status: 1)
      try await settle("the exit") { await supervisor.status().services[0].state != .starting }
      if await supervisor.status().services[0].state == .failed { break }
      try await advance(4)
      try await settle("the next run") { launcher.launches.count == count + 1 }
    }
    await #expect { try await crashing.value } throws: { "\($0)".contains("db keeps exiting and was marked failed") }
    await supervisor.stop()
  }

  // MARK: swaps

  func engine(_ model: String, enginePort: Int, port: Int) -> ServiceSpec {
    var spec = ServiceSpec(
      name: .llm, executable: "/usr/bin/llama-server", arguments: ["--port", String(enginePort)], environment: [:], port: port,
      health: .http(url: "http://127.0.0.1:\(enginePort)/health"), readinessSeconds: 5, model: model)
    spec.enginePort = enginePort
    return spec
  }

  @Test func aSideBySideSwapLoadsBesideTheOldEngineThenRetiresIt() async throws {
    let port = try Loopback.freePort()
    let supervisor = supervisor([engine("smollm2", enginePort: 9001, port: port)])
    try await start(supervisor).value
    let old = launcher.launches[0].pid
    let swapping = Task { try await supervisor.swap(to: engine("gemma", enginePort: 9002, port: port), mode: .sideBySide) }
    try await settle("the candidate's launch") { launcher.launches.count == 2 }
    let candidate = launcher.launches[1]
    #expect(candidate.command.arguments.contains("/stack/run/llm.next.pid") && candidate.command.arguments.contains("9002"))
    // Loading: the old engine still serves, and status says so.
    #expect(await supervisor.status().swap?.phase == .loading)
    #expect(launcher.runningPIDs == [old, candidate.pid])
    // Both monitors and the candidate's readiness limit.
    try await advance(0.5, once: 3)
    let report = try await swapping.value
    #expect(report.mode == .sideBySide && report.model == "gemma" && report.from == "smollm2")
    #expect(launcher.runningPIDs == [candidate.pid])
    let status = await supervisor.status()
    #expect(status.services[0].model == "gemma" && status.services[0].state == .healthy && status.services[0].enginePort == 9002)
    #expect(status.swap == nil && status.lastSwap == report)
    // The adopted engine is supervised like any other: a crash is restarted, with its own pid file.
    launcher.exit(candidate.pid, status: 1)
    try await settle("restarting") { await supervisor.status().services[0].state == .restarting }
    try await advance(1, once: 2)
    try await settle("the adopted engine's restart") { launcher.launches.count == 3 }
    #expect(launcher.launches[2].command.arguments.contains("/stack/run/llm.next.pid"))
    await supervisor.stop()
  }

  @Test func aCandidateThatExitsWhileLoadingFailsTheSwapAndTheOldEngineServesOn() async throws {
    let port = try Loopback.freePort()
    let supervisor = supervisor([engine("smollm2", enginePort: 9001, port: port)])
    try await start(supervisor).value
    let swapping = Task { try await supervisor.swap(to: engine("broken", enginePort: 9002, port: port), mode: .sideBySide) }
    try await settle("the candidate's launch") { launcher.launches.count == 2 }
    launcher.exit(launcher.launches[1].pid, status: 1)
    do {
      _ = try await swapping.value
      Issue.record("the swap should have failed")
    } catch {
      #expect("\(error)".contains("the swap to broken failed: it exited with status 1 before it was healthy; smollm2 serves on"))
    }
    #expect(launcher.launches.count == 2, "a candidate that exits is not restarted")
    let status = await supervisor.status()
    #expect(status.services[0].model == "smollm2" && status.services[0].state == .healthy && status.swap == nil)
    await supervisor.stop()
  }

  @Test func aHoldSwapStopsTheOldEngineFirstAndRestartsItWhenTheNewOneNeverLoads() async throws {
    let port = try Loopback.freePort()
    http.answer { request in HTTPResponse(status: request.url.contains(":9002/") ? 503 : 200) }
    let supervisor = supervisor([engine("smollm2", enginePort: 9001, port: port)])
    try await start(supervisor).value
    let old = launcher.launches[0].pid
    let began = clock.now
    let swapping = Task { try await supervisor.swap(to: engine("gemma", enginePort: 9002, port: port), mode: .hold) }
    try await settle("the new engine's launch") { launcher.launches.count == 2 }
    // The old engine was stopped before the new one started.
    #expect(launcher.runningPIDs == [launcher.launches[1].pid])
    #expect(!launcher.runningPIDs.contains(old))
    // Not healthy within its 5 s: stopped, and the old model is started again.
    while launcher.launches.count < 3 && clock.now.timeIntervalSince(began) < 30 {
      try await advance(0.5)
      try await Task.sleep(for: .milliseconds(2))
    }
    #expect(launcher.launches.last?.command.arguments.contains("9001") == true)
    try await advance(0.5, once: 2)
    do {
      _ = try await swapping.value
      Issue.record("the swap should have failed")
    } catch {
      #expect("\(error)".contains("the swap to gemma failed, and smollm2 serves again"))
    }
    let status = await supervisor.status()
    #expect(status.services[0].model == "smollm2" && status.services[0].state == .healthy)
    await supervisor.stop()
    #expect(launcher.runningPIDs.isEmpty)
  }
}
