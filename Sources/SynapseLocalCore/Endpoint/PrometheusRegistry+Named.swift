import Prometheus
import SynapseLocalSystem

/// Metrics made by their whole name and help text (docs/metrics.md lists every one).
extension PrometheusCollectorRegistry {
  static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
  }

  func counter(_ name: String, _ help: String, labels: [(String, String)]) -> Counter {
    makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
  }

  func gauge(_ name: String, _ help: String, labels: [(String, String)]) -> Gauge {
    makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
  }

  func durations(_ name: String, _ help: String, labels: [(String, String)], buckets: [Duration]) -> DurationHistogram {
    makeDurationHistogram(descriptor: Self.descriptor(name, help), labels: labels, buckets: buckets)
  }
}
