/// How fast an engine worked between two readings of its `/metrics`: prompt and generation tokens
/// per second while it worked, nil for what it did not do in between (an idle window is a gap on
/// the status page's chart, not a fall to zero).
public struct EngineSpeed: Sendable, Equatable, Codable {
  public var prompt: Double?
  public var generation: Double?

  public init(prompt: Double?, generation: Double?) {
    self.prompt = prompt
    self.generation = generation
  }

  /// From two readings `seconds` apart. llama-server counts the seconds it spent on each kind of
  /// token, so its speed is tokens over those seconds; vLLM counts only its decode time, so its
  /// prompt speed is tokens over the wall time between. A total lower than before is an engine that started again: all of it is new.
  public init(from before: EngineReading?, to after: EngineReading, seconds: Double) {
    func speed(_ tokens: (EngineReading) -> Double?, _ busy: (EngineReading) -> Double?) -> Double? {
      guard let now = tokens(after) else { return nil }
      let restarted = before.flatMap(tokens).map { now < $0 } ?? true
      let grown = now - (restarted ? 0 : before.flatMap(tokens) ?? 0)
      guard grown > 0 else { return nil }
      if let spent = busy(after) {
        let spentBetween = spent - (restarted ? 0 : before.flatMap(busy) ?? 0)
        return spentBetween > 0 ? grown / spentBetween : nil
      }
      return seconds > 0 ? grown / seconds : nil
    }
    prompt = speed(\.promptTokens, \.promptSeconds)
    generation = speed(\.generatedTokens, \.generationSeconds)
  }
}
