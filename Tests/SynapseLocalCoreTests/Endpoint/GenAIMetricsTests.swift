import Foundation
import NIOCore
import NIOHTTP1
import Prometheus
import Testing

@testable import SynapseLocalCore

/// The OpenTelemetry GenAI figures come from what the engine writes at the end of its answer:
/// llama-server's `usage` and `timings`, in a whole answer or in a stream's last event.
@Suite("GenAI metrics")
struct GenAIMetricsTests {
  /// llama-server b11434's own answers (captured from the test bed's build).
  static let whole = """
    {"choices":[{"finish_reason":"length","index":0,"message":{"role":"assistant","content":"Hello! {\\"usage\\": 1}"}}],\
    "usage":{"completion_tokens":5,"prompt_tokens":31,"total_tokens":36,"prompt_tokens_details":{"cached_tokens":0}},\
    "id":"chatcmpl-x","timings":{"cache_n":0,"prompt_n":31,"prompt_ms":481.93,"predicted_n":5,"predicted_ms":141.324}}
    """
  static let streamEnd = """
    data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}],"object":"chat.completion.chunk",\
    "timings":{"cache_n":30,"prompt_n":1,"prompt_ms":18.587,"predicted_n":3,"predicted_ms":38.095}}

    data: [DONE]


    """

  @Test func aWholeAnswersUsageAndTimingsAreRead() {
    let usage = AnswerUsage(tail: Array(Self.whole.utf8))
    #expect(usage == AnswerUsage(inputTokens: 31, outputTokens: 5, decodingSeconds: 0.141324))
  }

  @Test func aStreamsLastEventGivesTheTokensWithThePromptsCachedPart() {
    var tail = AnswerTail()
    // Split anywhere: the figures are read across buffers.
    let bytes = Array(Self.streamEnd.utf8)
    for chunk in stride(from: 0, to: bytes.count, by: 37) {
      tail.append(ByteBuffer(bytes: bytes[chunk..<min(chunk + 37, bytes.count)]))
    }
    #expect(tail.usage == AnswerUsage(inputTokens: 31, outputTokens: 3, decodingSeconds: 0.038095))
  }

  @Test func onlyTheLastKilobytesAreKeptAndAnAnswerWithoutFiguresHasNone() {
    var tail = AnswerTail()
    for _ in 0..<100 { tail.append(ByteBuffer(bytes: Array(repeating: UInt8(ascii: "x"), count: 1000))) }
    tail.append(ByteBuffer(string: #"{"usage":{"prompt_tokens":7,"total_tokens":7}}"#))
    #expect(tail.usage == AnswerUsage(inputTokens: 7))
    #expect(AnswerUsage(tail: Array(#"{"data":[{"embedding":[0.1]}]}"#.utf8)) == AnswerUsage())
    // Cut short inside the object: nothing rather than a guess.
    #expect(AnswerUsage(tail: Array(#"{"usage":{"prompt_tokens":7,"#.utf8)) == AnswerUsage())
  }

  @Test func generativeRequestsAreNamedAndOthersAreNot() {
    func operation(_ method: HTTPMethod, _ uri: String) -> GenAIOperation? {
      GenAIOperation(HTTPRequestHead(version: .http1_1, method: method, uri: uri))
    }
    #expect(operation(.POST, "/v1/chat/completions") == .chat)
    #expect(operation(.POST, "/v1/completions?x=1") == .textCompletion)
    #expect(operation(.POST, "/v1/embeddings") == .embeddings)
    #expect(operation(.GET, "/v1/models") == nil && operation(.GET, "/health") == nil && operation(.GET, "/v1/chat/completions") == nil)
  }

  @Test func theFiguresGoUnderOpenTelemetrysNamesAndBuckets() {
    let registry = PrometheusCollectorRegistry()
    let metrics = GenAIMetrics(registry: registry, provider: "llama.cpp")
    metrics.record(.chat, model: "m", code: 200, seconds: 0.5, usage: AnswerUsage(inputTokens: 31, outputTokens: 5, decodingSeconds: 0.1))
    metrics.record(.chat, model: "m", code: 503, seconds: 60, usage: AnswerUsage())
    var buffer: [UInt8] = []
    registry.emit(into: &buffer)
    let text = String(decoding: buffer, as: UTF8.self)
    let labels = #"gen_ai_operation_name="chat",gen_ai_provider_name="llama.cpp",gen_ai_request_model="m""#
    // 5 tokens in 0.1 s: 20 ms each; the first came 0.5 - 4 x 0.02 = 0.42 s after the request.
    #expect(text.contains("gen_ai_server_time_per_output_token_seconds_sum{\(labels)} 0.02"), "\(text)")
    #expect(text.contains("gen_ai_server_time_to_first_token_seconds_sum{\(labels)} 0.42"), "\(text)")
    #expect(text.contains(#"gen_ai_client_token_usage_sum{\#(labels),gen_ai_token_type="input"} 31"#), "\(text)")
    #expect(text.contains(#"gen_ai_client_token_usage_bucket{\#(labels),gen_ai_token_type="output",le="16.0"} 1"#), "\(text)")
    #expect(text.contains(#"gen_ai_server_request_duration_seconds_count{\#(labels),error_type="503"} 1"#), "\(text)")
    #expect(text.contains(#"gen_ai_server_request_duration_seconds_bucket{\#(labels),le="81.92"} 1"#), "\(text)")
    #expect(text.contains(#"le="0.001""#) && text.contains(#"le="67108864.0""#), "\(text)")
  }
}
