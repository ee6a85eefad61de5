/// `LOCAL_LLM_TIMEOUT`: long enough for the slowest answer the planned model gives on this
/// machine, a prompt that fills the context plus a long reply, at the speeds the recommendation
/// predicts (or measured), so the backend does not give up on a request that is only slow.
/// docs/configuration.md gives the formula.
public enum LLMTimeout {
  static let replyTokens = 1024
  static let safetyFactor: Double = 2
  /// The guide's default; never less.
  public static let floorMs = 30_000
  public static let ceilingMs = 1_800_000

  public static func milliseconds(speed: SpeedEstimate, context: Int) -> Int {
    let seconds = speed.seconds(promptTokens: context, replyTokens: replyTokens) * safetyFactor
    guard seconds.isFinite else { return ceilingMs }
    let rounded = Int(seconds.rounded(.up)) * 1000
    return min(ceilingMs, max(floorMs, rounded))
  }
}
