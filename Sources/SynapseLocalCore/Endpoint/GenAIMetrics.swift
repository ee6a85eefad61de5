import Foundation
import Prometheus
import SynapseLocalSystem

/// One stable endpoint's figures under OpenTelemetry's GenAI semantic conventions, as Prometheus
/// names them (`gen_ai.server.request.duration` is `gen_ai_server_request_duration_seconds`), with
/// the conventions' bucket boundaries, beside our own names (docs/metrics.md maps each).
struct GenAIMetrics: Sendable {
  let registry: PrometheusCollectorRegistry
  /// `gen_ai.provider.name`: the engine (`llama.cpp`, `vllm`, `sentence-transformers`).
  let provider: String

  static let durationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
  static let firstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0]
  static let perTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5]
  static let tokenBuckets: [Double] = (0..<14).map { pow(4, Double($0)) }

  /// One finished request: `seconds` from its arrival to its answer's end, `code` its status, and
  /// what the engine reported at the end of its answer.
  func record(_ operation: GenAIOperation, model: String?, code: UInt, seconds: Double, usage: AnswerUsage) {
    var labels = [("gen_ai_operation_name", operation.rawValue), ("gen_ai_provider_name", provider)]
    if let model { labels.append(("gen_ai_request_model", model)) }
    let failed = code >= 400
    histogram(
      "gen_ai_server_request_duration_seconds", "Generative AI server request duration such as time-to-last byte or last output token",
      labels: labels + (failed ? [("error_type", String(code))] : []), buckets: Self.durationBuckets
    ).record(seconds)
    guard !failed else { return }
    for (type, count) in [("input", usage.inputTokens), ("output", operation == .embeddings ? nil : usage.outputTokens)] {
      guard let count else { continue }
      histogram(
        "gen_ai_client_token_usage", "Number of input and output tokens used", labels: labels + [("gen_ai_token_type", type)],
        buckets: Self.tokenBuckets
      ).record(Double(count))
    }
    // llama-server's own decoding time: the tokens after the first took (n-1)/n of it, and
    // everything before them (queue, prompt, the first token) is the time to the first token.
    guard operation != .embeddings, let tokens = usage.outputTokens, tokens > 0, let decoding = usage.decodingSeconds else { return }
    let perToken = decoding / Double(tokens)
    histogram(
      "gen_ai_server_time_to_first_token_seconds", "Time to generate first token for successful responses", labels: labels,
      buckets: Self.firstTokenBuckets
    ).record(max(0, seconds - perToken * Double(tokens - 1)))
    guard tokens > 1 else { return }
    histogram(
      "gen_ai_server_time_per_output_token_seconds", "Time per output token generated after the first token for successful responses",
      labels: labels, buckets: Self.perTokenBuckets
    ).record(perToken)
  }

  private func histogram(_ name: String, _ help: String, labels: [(String, String)], buckets: [Double]) -> ValueHistogram {
    registry.makeValueHistogram(descriptor: PrometheusCollectorRegistry.descriptor(name, help), labels: labels, buckets: buckets)
  }
}
