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
