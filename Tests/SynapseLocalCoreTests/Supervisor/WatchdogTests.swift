import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The watchdog's judgement from scripted readings of an engine's counters, the lifecycle's
/// `degraded` and its restart once, and where the expected speed comes from.
@Suite("watchdog")
struct WatchdogTests {
  let t0 = Date(timeIntervalSince1970: 1_800_000_000)

  /// Expects 10 tok/s from bench; slow under 4 tok/s; a window is 20 s of generation; 3 in a row.
  func watchdog(ratio: Double = 0.4) -> Watchdog {
    var settings = Watchdog.Settings()
    settings.slowRatio = ratio
    settings.windowSeconds = 20
    settings.slowWindows = 3
    return Watchdog(settings: settings, expected: ExpectedSpeed(tokensPerSecond: 10, from: .bench))
  }

  /// The engine's counters: tokens generated and seconds spent generating, since it started.
  func reading(_ tokens: Double, _ seconds: Double) -> EngineReading {
    EngineReading(promptTokens: 0, generatedTokens: tokens, generationSeconds: seconds)
  }

  /// Feeds windows of 20 s at the given speeds, after a baseline; the verdicts.
  func windows(_ speeds: [Double], into dog: inout Watchdog, from start: (Double, Double) = (0, 0)) -> [Watchdog.Verdict?] {
    var (tokens, seconds) = start
    if start == (0, 0) { _ = dog.observe(reading(0, 0)) }
    return speeds.map { speed in
      tokens += speed * 20
      seconds += 20
      return dog.observe(reading(tokens, seconds))
    }
  }

  func slowness(_ measured: Double, windows: Int) -> ServiceStatus.Slowness {
    ServiceStatus.Slowness(measuredTokensPerSecond: measured, expectedTokensPerSecond: 10, expectedFrom: "bench", slowWindows: windows)
  }

  @Test func threeSlowWindowsInARowDegradeAndAWindowAtSpeedRecovers() {
    var dog = watchdog()
    let verdicts = windows([2, 2, 2, 3, 10], into: &dog)
    #expect(
      verdicts == [
        .window(measured: 2, slow: true), .window(measured: 2, slow: true), .degraded(slowness(2, windows: 3)),
        .stillSlow(slowness(3, windows: 4)), .recovered(measured: 10),
      ])
    #expect(!dog.degraded && dog.slowInARow == 0)
  }

  @Test func twoSlowWindowsThenOneAtSpeedDoNotDegrade() {
    var dog = watchdog()
    let verdicts = windows([2, 2, 4, 2, 2], into: &dog)
    // 4 tok/s is exactly the ratio: at speed. The count starts again after it.
    #expect(
      verdicts == [
        .window(measured: 2, slow: true), .window(measured: 2, slow: true), .window(measured: 4, slow: false),
        .window(measured: 2, slow: true), .window(measured: 2, slow: true),
      ])
    #expect(!dog.degraded && dog.slowInARow == 2)
  }

  @Test func readingsWithoutGenerationDoNotCountAndAWindowIsGenerationTime() {
    var dog = watchdog()
    #expect(dog.observe(reading(0, 0)) == nil)
    // Idle: the counters stand still, however long and however often they are read.
    for _ in 0..<10 { #expect(dog.observe(reading(0, 0)) == nil) }
    // 10 s of generation is half a window; the rest comes after an idle stretch.
    #expect(dog.observe(reading(20, 10)) == nil)
    #expect(dog.observe(reading(20, 10)) == nil)
    #expect(dog.observe(reading(40, 20)) == .window(measured: 2, slow: true))
    // A reading without the counters (an engine that does not report them) is no window either.
    #expect(dog.observe(EngineReading(promptTokens: 5, generatedTokens: nil)) == nil)
    // Counters that went back (the engine started over) are a new baseline, not a negative window.
    #expect(dog.observe(reading(5, 1)) == nil)
    #expect(dog.observe(reading(45, 21)) == .window(measured: 2, slow: true))
    #expect(dog.slowInARow == 2)
  }

  @Test func aRatioOfZeroIsOff() {
    var dog = watchdog(ratio: 0)
    #expect(windows([0.1, 0.1, 0.1, 0.1], into: &dog).allSatisfy { $0 == nil })
  }

  // MARK: the lifecycle

  func serving(restartWhenDegraded: Bool = false) -> ServiceLifecycle {
    var policy = ServiceLifecycle.Policy()
    policy.livenessFailures = 3
    policy.restartWhenDegraded = restartWhenDegraded
    var service = ServiceLifecycle(policy: policy)
    _ = service.handle(.start, at: t0)
    _ = service.handle(.spawned(run: 1, pid: 100), at: t0)
    _ = service.handle(.health(run: 1, passed: true), at: t0 + 2)
    return service
  }

  @Test func degradedServesOnUntilAWindowAtSpeed() {
    var service = serving()
    // Slow: it reads degraded, and the route stays open (nothing is closed or stopped).
    #expect(service.handle(.slow(run: 1, slowness(2, windows: 3)), at: t0 + 60).isEmpty)
    #expect(service.phase == .degraded && service.state == .degraded && service.slowness == slowness(2, windows: 3))
    #expect(service.message?.contains("degraded: generating 2.0 tok/s, 20% of the 10.0 tok/s expected (bench), 3 slow windows") == true)
    // Health checks keep it degraded, not healthy; an old run's verdict changes nothing.
    #expect(service.handle(.health(run: 1, passed: true), at: t0 + 65) == [.openRoute])
    #expect(service.handle(.upToSpeed(run: 0), at: t0 + 66).isEmpty)
    #expect(service.state == .degraded)
    // A miss while degraded is a miss; the run answering again is degraded again, not healthy.
    #expect(service.handle(.health(run: 1, passed: false), at: t0 + 70) == [.closeRoute])
    #expect(service.handle(.health(run: 1, passed: true), at: t0 + 75) == [.openRoute])
    #expect(service.state == .degraded)
    _ = service.handle(.upToSpeed(run: 1), at: t0 + 80)
    #expect(service.state == .healthy && service.slowness == nil && service.message == nil && service.restarts == 0)
  }

  @Test func restartWhenDegradedRestartsOncePerDegradation() {
    var service = serving(restartWhenDegraded: true)
    #expect(service.handle(.slow(run: 1, slowness(2, windows: 3)), at: t0 + 60) == [.closeRoute, .signalStop(pid: 100)])
    #expect(service.state == .restarting && service.message?.hasPrefix("restarted once: degraded, generating 2.0 tok/s") == true)
    #expect(service.handle(.exited(run: 1, status: 15 << 8), at: t0 + 61) == [.closeRoute, .spawn(run: 2)])
    // Counted as a restart, not a crash, and the exit says why.
    #expect(service.restarts == 1 && service.crashes == 0 && service.lastExitReport?.crash == false)
    #expect(service.lastExitReport?.line.hasPrefix("stopped because it was degraded (generating 2.0 tok/s") == true)
    _ = service.handle(.spawned(run: 2, pid: 200), at: t0 + 61)
    _ = service.handle(.health(run: 2, passed: true), at: t0 + 63)
    // Still slow after the restart: degraded, and not restarted again.
    #expect(service.handle(.slow(run: 2, slowness(2.5, windows: 3)), at: t0 + 120).isEmpty)
    #expect(service.state == .degraded && service.restarts == 1)
    #expect(service.message?.contains("still slow after the restart") == true)
    // Up to speed ends that degradation; a new one restarts once again.
    _ = service.handle(.upToSpeed(run: 2), at: t0 + 140)
    #expect(service.handle(.slow(run: 2, slowness(2, windows: 3)), at: t0 + 200) == [.closeRoute, .signalStop(pid: 200)])
  }

  @Test func aRunThatProducesIsNotMissedForASlowHealthCheck() {
    var service = serving()
    // Busy while serving: a failed check is no miss.
    #expect(service.handle(.producing(run: 1), at: t0 + 5).isEmpty)
    #expect(service.phase == .healthy)
    // Two misses, then it is seen producing: alive, serving again, the count gone.
    _ = service.handle(.health(run: 1, passed: false), at: t0 + 10)
    _ = service.handle(.health(run: 1, passed: false), at: t0 + 15)
    #expect(service.phase == .unhealthy(misses: 2))
    #expect(service.handle(.producing(run: 1), at: t0 + 20) == [.openRoute])
    #expect(service.phase == .healthy)
    _ = service.handle(.health(run: 1, passed: false), at: t0 + 25)
    #expect(service.phase == .unhealthy(misses: 1))
    // Producing nothing, three misses in a row: hung, restarted.
    _ = service.handle(.health(run: 1, passed: false), at: t0 + 30)
    #expect(service.handle(.health(run: 1, passed: false), at: t0 + 35) == [.closeRoute, .signalStop(pid: 100)])
  }

  // MARK: the expectation

  @Test func theExpectationIsBenchsFigureBeforeRecommendsAndNoneWithoutEither() throws {
    var machine = Machine.cpu(memoryGiB: 16)
    let uncalibrated = machine
    machine.calibration = Calibration(
      takenAt: "2026-12-01T00:00:00Z", machine: MachineFingerprint(machine), bandwidth: [.init(threads: 4, bytesPerSecond: 20e9)],
      engineRun: .init(
        engine: .llamaCpp, version: "b11541", model: "SmolLM2.gguf", threads: 4, promptTokens: 512, promptTokensPerSecond: 300,
        generatedTokens: 48, generationTokensPerSecond: 60, perTokenOverheadSeconds: 0.002, computeOperationsPerSecond: 1e11))
    let catalog = try Fixtures.catalog()
    var llm = ProjectConfiguration().llm
    llm.model = "smollm2-135m-q4"
    llm.threads = 4
    // The model's file is not there: the catalog's figures give its shape.
    let files = MemoryFileSystem(roots: ["/store", "/nowhere"])
    let path = "/store/SmolLM2-135M-Instruct.Q4_1.gguf"
    func expected(
      _ measurements: [SpeedMeasurement], ref: ModelReference = "smollm2-135m-q4", on hardware: HardwareReport? = nil
    ) -> ExpectedSpeed? {
      ExpectedSpeed.of(
        path: path, ref: ref, llm: llm, engine: .llamaCpp, hardware: hardware ?? machine, measurements: measurements, catalog: catalog,
        files: files)
    }
    func measured(_ speed: Double, flags: [String], on hardware: HardwareReport = machine) -> SpeedMeasurement {
      SpeedMeasurement(
        machine: MachineFingerprint(hardware), engine: .llamaCpp, model: "SmolLM2-135M-Instruct.Q4_1.gguf", flags: flags,
        promptTokensPerSecond: 300, generationTokensPerSecond: speed, measuredAt: "2026-12-01T00:00:00Z", by: "bench")
    }
    // No figure here: the speed model's prediction for the catalog model, from the calibration.
    let predicted = try #require(expected([]))
    #expect(predicted.from == .recommend && predicted.tokensPerSecond > 0)
    // bench measured this model with these flags here: that figure.
    let bench = expected([measured(42, flags: EngineArguments.llamaCppSpeedFlags(llm))])
    #expect(bench == ExpectedSpeed(tokensPerSecond: 42, from: .bench))
    // Measured on another machine: not this one's figure.
    let elsewhere = expected([measured(42, flags: EngineArguments.llamaCppSpeedFlags(llm), on: Machine.cpu(memoryGiB: 64))])
    #expect(elsewhere?.from == .recommend)
    // No calibration either: the per-architecture estimate is no expectation, and the watchdog is off.
    #expect(expected([], on: uncalibrated) == nil)
    // bench's figure needs no calibration.
    #expect(expected([measured(42, flags: EngineArguments.llamaCppSpeedFlags(llm))], on: uncalibrated)?.tokensPerSecond == 42)
    // A model whose shape is unknown (no catalog entry, no readable file): none, the watchdog off.
    #expect(expected([], ref: .local(path: "/nowhere/model.gguf")) == nil)
  }
}
