import Foundation
import Prometheus
import SynapseLocalSystem

/// One stable endpoint's figures in the stack's Prometheus registry, labelled with its service:
/// requests by status code, how long they took and how long until their first byte, those in
/// flight, those held while no engine was ready and how long they waited. docs/metrics.md names each.
final class EndpointMetrics: Sendable {
  let registry: PrometheusCollectorRegistry
  let service: String
  let inFlight: Gauge
  let holding: Gauge
  let held: Counter
  let replayed: Counter
  let duration: DurationHistogram
  let firstByte: DurationHistogram
  let holdDuration: DurationHistogram
  /// The same requests under OpenTelemetry's GenAI names.
  let genAI: GenAIMetrics
  private let byCode = NSLock()
  nonisolated(unsafe) private var counters: [UInt: Counter] = [:]

  /// From 1 ms (a model list) to 10 minutes (a long answer).
  static let buckets: [Duration] = [
    .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
    .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
  ]

  init(registry: PrometheusCollectorRegistry, service: String, provider: String = "llama.cpp") {
    self.registry = registry
    self.service = service
    genAI = GenAIMetrics(registry: registry, provider: provider)
    let labels = [("service", service)]
    inFlight = registry.gauge("synapse_local_endpoint_requests_in_flight", "Requests the stable endpoint is answering now", labels: labels)
    holding = registry.gauge("synapse_local_endpoint_requests_held", "Requests waiting now for an engine to be ready", labels: labels)
    held = registry.counter("synapse_local_endpoint_held_requests_total", "Requests that waited for an engine to be ready", labels: labels)
    replayed = registry.counter(
      "synapse_local_endpoint_replayed_requests_total",
      "Requests sent again to a restarted engine after the first one ended before answering", labels: labels)
    duration = registry.durations(
      "synapse_local_endpoint_request_duration_seconds", "From a request's arrival to the end of its answer", labels: labels,
      buckets: Self.buckets)
    firstByte = registry.durations(
      "synapse_local_endpoint_time_to_first_byte_seconds", "From a request's arrival to the first byte of the engine's answer",
      labels: labels, buckets: Self.buckets)
    holdDuration = registry.durations(
      "synapse_local_endpoint_hold_duration_seconds", "How long held requests waited for an engine", labels: labels, buckets: Self.buckets)
  }

  /// A request answered with `code` (the engine's status, or the endpoint's own 4xx/5xx).
  func answered(_ code: UInt) {
    let counter = byCode.withLock {
      if let counter = counters[code] { return counter }
      let counter = registry.counter(
        "synapse_local_endpoint_requests_total", "Requests answered, by HTTP status code",
        labels: [("service", service), ("code", String(code))])
      counters[code] = counter
      return counter
    }
    counter.increment()
  }
}
