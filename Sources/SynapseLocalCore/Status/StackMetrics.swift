import Foundation
import Prometheus
import SynapseLocalSystem

/// The stack's Prometheus registry: what the stable endpoints count as requests pass (they write
/// into `registry` themselves), what the supervisor reports of each service, what each engine
/// reports of its tokens, and the swaps. Served at `/metrics` on the status port; every name is
/// documented in docs/metrics.md.
public final class StackMetrics: Sendable {
  public let registry = PrometheusCollectorRegistry()
  private let lock = NSLock()
  nonisolated(unsafe) private var totals: [String: MonotonicTotal] = [:]
  nonisolated(unsafe) private var lastEngineScrape: [String: (at: Duration, reading: EngineReading)] = [:]

  public init() {}

  static let healthBuckets: [Duration] = [
    .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
    .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
  ]
  static let swapBuckets: [Duration] = [
    .seconds(1), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
  ]

  // MARK: events

  /// One health check of `service`, and how long it took to answer.
  public func healthChecked(_ service: ServiceName, took duration: Duration) {
    registry.durations(
      "synapse_local_service_health_check_duration_seconds", "How long each health check of a service took",
      labels: [("service", service.rawValue)], buckets: Self.healthBuckets
    ).record(duration)
  }

  /// A swap ended: `succeeded` or not, after `duration`.
  public func swapEnded(_ service: ServiceName, mode: SwapMode, took duration: Duration, succeeded: Bool) {
    registry.counter(
      "synapse_local_swaps_total", "Model swaps, by service, mode and result",
      labels: [("service", service.rawValue), ("mode", mode.rawValue), ("result", succeeded ? "done" : "failed")]
    ).increment()
    registry.durations(
      "synapse_local_swap_duration_seconds", "From a swap's start to its end, by service and mode",
      labels: [("service", service.rawValue), ("mode", mode.rawValue)], buckets: Self.swapBuckets
    ).record(duration)
  }

  // MARK: readings (at each scrape)

  /// Each service's state, restarts, uptime and memory, from the supervisor's status.
  public func observe(_ status: StackStatus) {
    for service in status.services {
      let labels = [("service", service.name.rawValue)]
      for state in ServiceStatus.State.allCases {
        registry.gauge(
          "synapse_local_service_state", "1 for the state each service is in, 0 for the others",
          labels: labels + [("state", state.rawValue)]
        ).set(to: state == service.state ? 1.0 : 0.0)
      }
      grow(
        registry.counter("synapse_local_service_restarts_total", "Restarts of each service since the stack started", labels: labels),
        key: "restarts/" + service.name.rawValue, reading: Double(service.restarts))
      registry.gauge("synapse_local_service_uptime_seconds", "Seconds since each service's current run started", labels: labels)
        .set(to: Double(service.uptimeSeconds ?? 0))
      registry.gauge(
        "synapse_local_service_resident_memory_bytes", "Resident memory of each service's whole process tree", labels: labels
      ).set(to: Double(service.rssBytes ?? 0))
      if service.enginePort != nil {
        registry.gauge(
          "synapse_local_engine_degraded", "1 while the watchdog finds the engine slower than llm.slow_ratio of the speed expected here",
          labels: labels
        ).set(to: service.state == .degraded ? 1 : 0)
      }
    }
  }

  /// An engine's own figures: its token totals (kept monotonic across its restarts and swaps)
  /// and its speed over the work it did since it was last read (`EngineSpeed`: llama-server's
  /// tokens over its own seconds, vLLM's over the time between reads), left as it was when it did
  /// none. llama-server's `*_tokens_seconds` gauges are not used: any read of its `/metrics` (the
  /// status page's every 5 s, a second Prometheus) starts them again.
  /// `now` is the clock's monotonic reading (`TimeSource.elapsed`) at the scrape.
  public func observe(engine reading: EngineReading, service: ServiceName, model: String, at now: Duration) {
    let labels = [("service", service.rawValue), ("model", model)]
    let key = service.rawValue + "/" + model
    let prompt = reading.promptTokens ?? 0
    let generated = reading.generatedTokens ?? 0
    grow(
      registry.counter("synapse_local_engine_prompt_tokens_total", "Prompt tokens each engine has processed", labels: labels),
      key: "prompt/" + key, reading: prompt)
    grow(
      registry.counter("synapse_local_engine_generated_tokens_total", "Tokens each engine has generated", labels: labels),
      key: "generated/" + key, reading: generated)
    let previous = lock.withLock {
      defer { lastEngineScrape[key] = (now, reading) }
      return lastEngineScrape[key]
    }
    let seconds = previous.map { StatusBoard.seconds(now - $0.at) } ?? 0
    let speed = EngineSpeed(from: previous?.reading, to: reading, seconds: seconds)
    if let speed = speed.prompt {
      registry.gauge(
        "synapse_local_engine_prompt_tokens_per_second", "Each engine's prompt processing speed, as it reports it", labels: labels
      ).set(to: speed)
    }
    if let speed = speed.generation {
      registry.gauge(
        "synapse_local_engine_generation_tokens_per_second", "Each engine's generation speed, as it reports it", labels: labels
      ).set(to: speed)
    }
  }

  /// The text exposition of everything.
  public func exposition() -> [UInt8] { registry.emitToBuffer() }

  private func grow(_ counter: Counter, key: String, reading: Double) {
    let growth = lock.withLock { totals[key, default: MonotonicTotal()].observe(reading) }
    if growth > 0 { counter.increment(by: growth) }
  }
}
