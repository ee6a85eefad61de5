/// One measured request: its token counts and timings. Prompt and generation rates come from the
/// engine's own timings where it reports them (llama-server), else from the client's clock.
public struct BenchSample: Codable, Sendable, Equatable {
  public var promptTokens: Int
  public var generatedTokens: Int
  public var promptTokensPerSecond: Double
  public var generationTokensPerSecond: Double
  /// From sending the request to the first generated text (a streamed request), else the
  /// engine's prompt time plus one generation step.
  public var timeToFirstTokenSeconds: Double
  public var totalSeconds: Double
  /// Streamed requests only: the rate at which the client received the reply's tokens, which
  /// includes the streaming's own cost, beside the engine's own rate.
  public var receivedTokensPerSecond: Double?

  public init(
    promptTokens: Int, generatedTokens: Int, promptTokensPerSecond: Double, generationTokensPerSecond: Double,
    timeToFirstTokenSeconds: Double, totalSeconds: Double
  ) {
    self.promptTokens = promptTokens
    self.generatedTokens = generatedTokens
    self.promptTokensPerSecond = promptTokensPerSecond
    self.generationTokensPerSecond = generationTokensPerSecond
    self.timeToFirstTokenSeconds = timeToFirstTokenSeconds
    self.totalSeconds = totalSeconds
  }

  enum CodingKeys: String, CodingKey {
    case promptTokens = "prompt_tokens"
    case generatedTokens = "generated_tokens"
    case promptTokensPerSecond = "prompt_tokens_per_second"
    case generationTokensPerSecond = "generation_tokens_per_second"
    case timeToFirstTokenSeconds = "time_to_first_token_seconds"
    case totalSeconds = "total_seconds"
    case receivedTokensPerSecond = "received_tokens_per_second"
  }
}

/// How many tokens each request reads and writes, and how many requests are measured after the
/// warm-up ones.
public struct BenchWorkload: Codable, Sendable, Equatable {
  public var promptTokens: Int
  public var generatedTokens: Int
  public var runs: Int
  public var warmups: Int

  public init(
    promptTokens: Int = ReferenceRequest.promptTokens, generatedTokens: Int = ReferenceRequest.replyTokens, runs: Int = 3,
    warmups: Int = 1
  ) {
    self.promptTokens = promptTokens
    self.generatedTokens = generatedTokens
    self.runs = runs
    self.warmups = warmups
  }

  enum CodingKeys: String, CodingKey {
    case runs, warmups
    case promptTokens = "prompt_tokens"
    case generatedTokens = "generated_tokens"
  }

  /// The context a request of this size needs, with room for the engine's own tokens.
  public var contextNeeded: Int { promptTokens + generatedTokens + 64 }

  public func check() throws(BenchError) {
    guard (1...131_072).contains(promptTokens) else { throw .badRequest("--prompt-tokens must be between 1 and 131072") }
    guard (2...32_768).contains(generatedTokens) else { throw .badRequest("--tokens must be between 2 and 32768") }
    guard (1...100).contains(runs) else { throw .badRequest("--runs must be between 1 and 100") }
    guard (0...10).contains(warmups) else { throw .badRequest("--warmups must be between 0 and 10") }
  }
}

public enum BenchError: Error, Equatable, CustomStringConvertible {
  case badRequest(String)
  /// The engine did not start, or did not answer as an engine should.
  case engine(String)

  public var description: String {
    switch self {
    case .badRequest(let message), .engine(let message): message
    }
  }
}
