import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The watchdog and liveness on the manual clock, with the engine's `/metrics` scripted: slow
/// windows make the llm degraded (status, metric, log), `restart_when_degraded` restarts it once,
/// no expectation turns the watchdog off with one line, and a busy engine whose health check goes
/// unanswered is not restarted while its counters move.
extension SupervisorClockTests {
  /// The engine's counters as its `/metrics` gives them, moved on by the test.
  final class EngineCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var values = (tokens: 0.0, seconds: 0.0, steps: 0.0)
    /// /health does not answer (the engine's HTTP loop is starved).
    var healthHangs: Bool {
      get { lock.withLock { hangs } }
      set { lock.withLock { hangs = newValue } }
    }
    private var hangs = false

    func generate(_ tokens: Double, in seconds: Double) {
      lock.withLock {
        values.tokens += tokens
        values.seconds += seconds
        values.steps += tokens
      }
    }

    func step(_ steps: Double) { lock.withLock { values.steps += steps } }

    var exposition: String {
      lock.withLock {
        """
        # TYPE llamacpp:tokens_predicted_total counter
        llamacpp:tokens_predicted_total \(values.tokens)
        llamacpp:tokens_predicted_seconds_total \(values.seconds)
        llamacpp:n_decode_total \(values.steps)
        llamacpp:prompt_tokens_total 0

        """
      }
    }
  }

  /// An llm engine behind a stable endpoint, checked every 5 s, its counters read every 5 s,
  /// windows of 20 s of generation; `expected` tok/s (nil: none known).
  func watched(
    _ counters: EngineCounters, expected: ExpectedSpeed?, restartWhenDegraded: Bool = false, output: RecordingOutput
  ) throws -> Supervisor {
    http.answer { request in
      if request.url.hasSuffix("/metrics") { return HTTPResponse(status: 200, body: Array(counters.exposition.utf8)) }
      return counters.healthHangs ? ScriptedHTTP.unanswered : HTTPResponse(status: 200)
    }
    var settings = settings()
    settings.healthTimeout = .seconds(1)
    settings.watchdog.interval = .seconds(5)
    settings.watchdog.windowSeconds = 20
    settings.watchdog.restartWhenDegraded = restartWhenDegraded
    settings.expectedSpeed = { _ in expected }
    return Supervisor(
      project: base, specs: [engine("smollm2", enginePort: 9001, port: try Loopback.freePort())], settings: settings,
      context: context(output: output))
  }

  /// One liveness round: the clock moves 5 s, and the round's verdicts are in.
  func round() async throws {
    try await advance(5)
    try await settle("the round done") { clock.sleeping >= 1 }
  }

  @Test(.timeLimit(.minutes(1))) func threeSlowWindowsMakeTheEngineDegradedAndOneAtSpeedRecovers() async throws {
    let counters = EngineCounters()
    let output = RecordingOutput()
    let supervisor = try watched(counters, expected: ExpectedSpeed(tokensPerSecond: 10, from: .bench), output: output)
    try await start(supervisor).value
    try await round()
    // Idle rounds: nothing generated, nothing judged.
    for _ in 0..<3 { try await round() }
    #expect(await supervisor.status().services[0].state == .healthy)
    // Two slow windows (2 tok/s against 10), then the third.
    for window in 1...3 {
      counters.generate(40, in: 20)
      try await round()
      let state = await supervisor.status().services[0].state
      #expect(state == (window < 3 ? .healthy : .degraded), "after window \(window)")
    }
    var status = await supervisor.status().services[0]
    #expect(
      status.slowness
        == ServiceStatus.Slowness(measuredTokensPerSecond: 2, expectedTokensPerSecond: 10, expectedFrom: "bench", slowWindows: 3))
    #expect(status.restarts == 0 && launcher.launches.count == 1)
    let line = try #require(output.infos.last { $0.contains(" llm degraded: ") })
    #expect(line.contains("generating 2.0 tok/s, 20% of the 10.0 tok/s expected (bench), 3 slow windows in a row (llm.slow_ratio 0.4)"))
    // Degraded still serves: the endpoint's route stays open.
    #expect(await supervisor.ready.route(.llm)?.port == 9001)
    var metrics = String(decoding: await supervisor.metricsExposition(), as: UTF8.self)
    #expect(metrics.contains("# TYPE synapse_local_engine_degraded gauge"))
    #expect(metrics.contains(#"synapse_local_engine_degraded{service="llm"} 1"#))
    // A window at speed.
    counters.generate(200, in: 20)
    try await round()
    status = await supervisor.status().services[0]
    #expect(status.state == .healthy && status.slowness == nil)
    #expect(output.infos.last?.contains(" llm up to speed again: generating 10.0 tok/s") == true)
    metrics = String(decoding: await supervisor.metricsExposition(), as: UTF8.self)
    #expect(metrics.contains(#"synapse_local_engine_degraded{service="llm"} 0"#))
    await supervisor.stop()
  }

  @Test(.timeLimit(.minutes(1))) func restartWhenDegradedRestartsTheEngineOnce() async throws {
    let counters = EngineCounters()
    let output = RecordingOutput()
    let supervisor = try watched(
      counters, expected: ExpectedSpeed(tokensPerSecond: 10, from: .recommend), restartWhenDegraded: true, output: output)
    try await start(supervisor).value
    try await round()
    for _ in 1...3 {
      counters.generate(40, in: 20)
      try await round()
    }
    try await settle("the second run") { launcher.launches.count == 2 }
    #expect(output.infos.contains { $0.contains(" llm degraded: ") && $0.hasSuffix("; restarting it once (llm.restart_when_degraded)") })
    try await settle("the exit logged") { output.infos.contains { $0.contains(" llm stopped because it was degraded") } }
    // Loads again (readiness polls every 0.5 s), then runs as slowly as before.
    for _ in 0..<10 where await supervisor.status().services[0].state != .healthy { try await advance(0.5) }
    var status = await supervisor.status().services[0]
    #expect(status.state == .healthy && status.restarts == 1 && status.crashes == 0 && status.lastExitWasCrash == false)
    try await round()
    for _ in 1...3 {
      counters.generate(40, in: 20)
      try await round()
    }
    // Degraded again in the same degradation: not restarted a second time.
    status = await supervisor.status().services[0]
    #expect(status.state == .degraded && status.restarts == 1 && launcher.launches.count == 2)
    #expect(status.message?.contains("still slow after the restart") == true)
    await supervisor.stop()
  }

  @Test(.timeLimit(.minutes(1))) func withNoExpectationTheWatchdogIsOffAndSaysSoOnce() async throws {
    let counters = EngineCounters()
    let output = RecordingOutput()
    let supervisor = try watched(counters, expected: nil, output: output)
    try await start(supervisor).value
    for _ in 1...5 {
      counters.generate(2, in: 20)
      try await round()
    }
    #expect(await supervisor.status().services[0].state == .healthy)
    let off = output.infos.filter {
      $0.contains(" llm the watchdog is off: no speed of smollm2 measured here (synapse-local bench) or predicted from a calibration")
    }
    #expect(off.count == 1, "\(output.infos)")
    await supervisor.stop()
  }

  @Test(.timeLimit(.minutes(1))) func aBusyEngineWhoseHealthCheckHangsIsNotRestarted() async throws {
    let counters = EngineCounters()
    let output = RecordingOutput()
    let supervisor = try watched(counters, expected: nil, output: output)
    try await start(supervisor).value
    try await round()
    // A long answer: /health unanswered for 6 rounds (3 misses restart a hung engine), while the
    // engine's decoding steps move on.
    counters.healthHangs = true
    for _ in 1...6 {
      counters.step(30)
      try await round()
    }
    var status = await supervisor.status().services[0]
    #expect(status.state == .healthy && status.restarts == 0 && launcher.launches.count == 1)
    #expect(output.infos.filter { $0.contains(" llm did not answer its health check in time, but it is producing") }.count == 1)
    // Then nothing moves: hung, restarted after three misses.
    for _ in 1...3 { try await round() }
    try await settle("the restart") { launcher.launches.count == 2 }
    status = await supervisor.status().services[0]
    #expect(status.restarts == 1 && status.crashes == 1)
    counters.healthHangs = false
    await supervisor.stop()
  }
}
