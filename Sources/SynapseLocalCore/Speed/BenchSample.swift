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
