import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// What `bench` reports for llama-server: the engine's own rates, from whole replies it timed with
/// no streaming on its cores (as llama-bench measures), and beside them, labelled, what a
/// streaming client received.
@Suite("bench figures")
struct BenchFiguresTests {
  static func engine(streamedRate: Double, wholeRate: Double) -> ScriptedHTTP {
    ScriptedHTTP { request in
      if request.url.hasSuffix("/tokenize") { return HTTPResponse(status: 200, body: Array(#"{"tokens":[1,2,3,4]}"#.utf8)) }
      guard request.url.hasSuffix("/v1/completions"), let body = request.body,
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
      else { return nil }
      let timings = { (rate: Double) in
        #"{"prompt_n":16,"prompt_ms":40,"prompt_per_second":400,"predicted_n":8,"predicted_per_second":\#(rate)}"#
      }
      if object["stream"] as? Bool == true {
        let events = [
          #"data: {"choices":[{"text":" a"}]}"#, #"data: {"choices":[{"text":" b"}]}"#,
          #"data: {"choices":[{"text":""}],"usage":{"completion_tokens":8,"prompt_tokens":16},"timings":\#(timings(streamedRate))}"#,
          "data: [DONE]",
        ]
        return HTTPResponse(status: 200, body: Array((events.joined(separator: "\n\n") + "\n\n").utf8))
      }
      return HTTPResponse(
        status: 200,
        body: Array(
          #"{"choices":[{"text":" a b"}],"usage":{"completion_tokens":8,"prompt_tokens":16},"timings":\#(timings(wholeRate))}"#.utf8))
    }
  }

  @Test func llamaServerIsMeasuredByItsOwnTimingsOfWholeReplies() async throws {
    let http = Self.engine(streamedRate: 71.8, wholeRate: 104.9)
    let client = EngineClient(http: http, baseURL: "http://127.0.0.1:9", servedName: "m")
    let workload = BenchWorkload(promptTokens: 16, generatedTokens: 8, runs: 3, warmups: 1)
    let measured = try await EngineBench.requests(client, engine: .llamaCpp, workload: workload, progress: { _ in })
    #expect(measured.samples.count == 3)
    #expect(measured.samples.allSatisfy { $0.generationTokensPerSecond == 104.9 && $0.promptTokensPerSecond == 400 })
    // The engine's first token: its prompt time plus one step.
    #expect(abs(measured.samples[0].timeToFirstTokenSeconds - (0.040 + 1 / 104.9)) < 1e-9)
    let received = try #require(measured.received)
    #expect(received.generationTokensPerSecond > 0 && received.timeToFirstTokenSeconds >= 0)
    // Warm-up (streamed), 3 whole runs, 1 streamed: each with its /tokenize first.
    #expect(http.requests.filter { $0.hasSuffix("/v1/completions") }.count == 5)
  }

  /// vLLM reports no timings: its measured requests are streamed and timed by the client.
  @Test func anEngineWithoutTimingsIsMeasuredStreamed() async throws {
    let http = ScriptedHTTP { request in
      if request.url.hasSuffix("/tokenize") { return HTTPResponse(status: 200, body: Array(#"{"tokens":[1,2]}"#.utf8)) }
      return HTTPResponse(
        status: 200,
        body: Array(
          "data: {\"choices\":[{\"text\":\" a\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"completion_tokens\":8,\"prompt_tokens\":4}}\n\n"
            .utf8))
    }
    let client = EngineClient(http: http, baseURL: "http://127.0.0.1:9", servedName: "m")
    let measured = try await EngineBench.requests(
      client, engine: .vllm, workload: BenchWorkload(promptTokens: 4, generatedTokens: 8, runs: 2, warmups: 0), progress: { _ in })
    #expect(measured.samples.count == 2 && measured.samples.allSatisfy { $0.receivedTokensPerSecond != nil })
    #expect(measured.received != nil)
    #expect(http.requests.filter { $0.hasSuffix("/v1/completions") }.count == 2)
  }

  @Test func aWholeReplyWithoutTimingsIsAnEngineError() {
    #expect(throws: BenchError.self) { try EngineClient.wholeSample(Array(#"{"choices":[{"text":"x"}]}"#.utf8), seconds: 1) }
  }
}
