import Foundation
import SynapseLocalSystem
import Testing

@testable import SynapseLocalCore

/// The streamed reply `bench` times: server-sent events split anywhere, the engine's timings when
/// it sends them, the client's clock when not.
@Suite("Completion stream")
struct CompletionStreamTests {
  func feed(_ stream: CompletionStream, _ text: String, in pieces: Int) {
    let bytes = Array(text.utf8)
    let size = max(1, bytes.count / pieces)
    for start in stride(from: 0, to: bytes.count, by: size) {
      bytes[start..<min(bytes.count, start + size)].withUnsafeBytes { stream.receive($0) }
    }
  }

  static let llamaServer = """
    data: {"choices":[{"text":" the","index":0,"finish_reason":null}]}\r
    \r
    data: {"choices":[{"text":" day","index":0,"finish_reason":null}]}\r
    \r
    data: {"choices":[{"text":"","index":0,"finish_reason":"length"}],"usage":{"completion_tokens":2,"prompt_tokens":64},"timings":{"prompt_n":64,"prompt_per_second":512.5,"predicted_n":2,"predicted_per_second":88.25}}\r
    \r
    data: [DONE]\r
    \r

    """

  @Test(arguments: [1, 3, 7, 50])
  func theEnginesTimingsAndUsageAreReadHoweverTheBytesArrive(pieces: Int) throws {
    let stream = CompletionStream()
    feed(stream, Self.llamaServer, in: pieces)
    let sample = try stream.sample(started: DispatchTime.now().uptimeNanoseconds - 1_000_000, requestedPrompt: 64)
    #expect(sample.promptTokens == 64 && sample.generatedTokens == 2)
    #expect(sample.promptTokensPerSecond == 512.5 && sample.generationTokensPerSecond == 88.25)
    #expect(sample.timeToFirstTokenSeconds >= 0)
  }

  /// vLLM sends no timings: the rates come from the client's clock, finite even when all the text
  /// came in one piece.
  @Test func withoutTimingsTheClientsClockIsUsed() throws {
    let stream = CompletionStream()
    feed(
      stream,
      "data: {\"choices\":[{\"text\":\"hello world\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"completion_tokens\":4,\"prompt_tokens\":10}}\n\n",
      in: 1)
    let sample = try stream.sample(started: DispatchTime.now().uptimeNanoseconds - 50_000_000, requestedPrompt: 10)
    #expect(sample.generatedTokens == 4 && sample.promptTokens == 10)
    #expect(sample.generationTokensPerSecond.isFinite && sample.generationTokensPerSecond > 0)
    #expect(sample.promptTokensPerSecond.isFinite && sample.promptTokensPerSecond > 0)
  }

  @Test func aStreamWithoutTextIsAnEngineError() {
    let stream = CompletionStream()
    feed(stream, "data: {\"error\":{\"message\":\"bad\"}}\n\n", in: 1)
    #expect(throws: BenchError.self) { try stream.sample(started: DispatchTime.now().uptimeNanoseconds, requestedPrompt: 1) }
  }
}
