import Foundation
import SynapseLocalSystem

/// The engines between liveness rounds: their own counters read beside each health check, so a
/// busy engine is told from a hung one, and the chat engine's speed is judged against what is
/// expected here (the watchdog). What follows is decided by the service's lifecycle.
extension Supervisor {
  /// The engine's `/metrics` (llama-server `--metrics`, vLLM); nil when it does not answer in time.
  func engineReading(_ spec: ServiceSpec) async -> EngineReading? {
    guard let port = spec.enginePort,
      let response = try? await context.http.send(
        HTTPRequest(url: "http://127.0.0.1:\(port)/metrics", headers: [HealthProber.probeHeader: "1"], timeout: prober.timeout),
        onBody: nil),
      response.status == 200
    else { return nil }
    return EngineReading(exposition: String(decoding: response.body, as: UTF8.self))
  }

  /// An engine's liveness verdict: a failed health check counts as a miss only when the run
  /// produced nothing since the last round (its decoding steps or tokens did not move, and the
  /// stable endpoint sent no byte of its answers), so a long answer is never taken for a hang.
  func liveness(_ id: Int, run: Int, healthy: Bool, reading: EngineReading?) -> ServiceLifecycle.Event {
    guard let slot = slots[id] else { return .health(run: run, passed: healthy) }
    let relayed = slot.spec.enginePort.flatMap { port in endpoints[slot.spec.name]?.answerBytes(fromEngine: port) }
    var watch = slot.watch
    watch.follow(run)
    let moved = watch.progressed(steps: reading?.decodeSteps ?? reading?.generatedTokens, relayed: relayed)
    let spare = !healthy && moved
    if spare && !watch.forgaveBusy {
      watch.forgaveBusy = true
      say(slot.spec, "did not answer its health check in time, but it is producing (tokens, streamed bytes): not counted as a miss")
    }
    slots[id]?.watch = watch
    return spare ? .producing(run: run) : .health(run: run, passed: healthy)
  }

  /// The watchdog's part of a round, at most once per its interval: the expectation asked once
  /// per run (none: off, said once), then the engine's counters judged.
  func watchSpeed(_ id: Int, run: Int, reading: EngineReading?) async {
    guard let slot = slots[id], slot.spec.name == .llm, settings.watchdog.slowRatio > 0, slot.watch.run == run else { return }
    let now = context.time.elapsed
    if let last = slot.watch.lastSample, now - last < settings.watchdog.interval { return }
    if !slot.watch.asked {
      slots[id]?.watch.asked = true
      let expected = await settings.expectedSpeed?(slot.spec)
      guard slots[id]?.watch.run == run else { return }
      if let expected {
        slots[id]?.watch.watchdog = Watchdog(settings: settings.watchdog, expected: expected)
      } else if slots[id]?.watch.announcedOff == false {
        slots[id]?.watch.announcedOff = true
        say(
          slot.spec,
          "the watchdog is off: no speed of \(slot.spec.model ?? "its model") measured here (synapse-local bench) or predicted from a calibration (synapse-local detect --calibrate)"
        )
      }
    }
    guard let reading, var watchdog = slots[id]?.watch.watchdog else { return }
    slots[id]?.watch.lastSample = now
    let verdict = watchdog.observe(reading)
    slots[id]?.watch.watchdog = watchdog
    switch verdict {
    case .degraded(let slowness):
      deliver(id, .slow(run: run, slowness))
      let restarting = slots[id]?.lifecycle.phase == .stoppingToRestart
      say(
        slot.spec,
        "degraded: \(ServiceLifecycle.figures(slowness)) (llm.slow_ratio \(settings.watchdog.slowRatio))"
          + (restarting ? "; restarting it once (llm.restart_when_degraded)" : ""))
    case .stillSlow(let slowness):
      deliver(id, .slow(run: run, slowness))
    case .recovered(let measured):
      deliver(id, .upToSpeed(run: run))
      say(slot.spec, "up to speed again: generating \(SpeedEstimate.format(measured)), \(watchdog.expected.summary) expected")
    case .window(_, slow: false):
      deliver(id, .upToSpeed(run: run))
    case .window(_, slow: true), nil:
      break
    }
  }

  /// A line in the supervisor's log, as exits are logged.
  func say(_ spec: ServiceSpec, _ line: String) {
    context.output.info("\(context.time.now.formatted(.iso8601)) \(spec.name.rawValue) \(line)")
  }
}
