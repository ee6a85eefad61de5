/// `LOCAL_LLM_TIMEOUT`: long enough for the slowest answer the planned model gives on this
/// hardware, a full-context prompt plus a long reply, so the backend does not give up on a
/// request that is only slow. docs/configuration.md gives the formula and its assumptions.
public enum LLMTimeout {
  /// Memory bandwidth assumed for token generation (each token reads every weight once).
  static let cpuBandwidth: Double = 20e9
  static let gpuBandwidth: Double = 300e9
  /// Prompt tokens are processed in batches, about this many times faster than generated ones.
  static let promptSpeedup: Double = 10
  static let replyTokens: Double = 1024
  static let safetyFactor: Double = 2
  /// The guide's default; never less.
  public static let floorMs = 30_000
  public static let ceilingMs = 1_800_000

  public static func milliseconds(modelBytes: UInt64, context: Int, onGPU: Bool) -> Int {
    let tokensPerSecond = (onGPU ? gpuBandwidth : cpuBandwidth) / Double(max(modelBytes, 1))
    let seconds = (Double(context) / (tokensPerSecond * promptSpeedup) + replyTokens / tokensPerSecond) * safetyFactor
    let rounded = Int((seconds * 1000 / 1000).rounded(.up)) * 1000
    return min(ceilingMs, max(floorMs, rounded))
  }
}
