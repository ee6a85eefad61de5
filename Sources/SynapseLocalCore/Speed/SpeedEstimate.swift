import Foundation
import SynapseLocalSystem

/// How fast a chat model answers on a machine: prompt tokens read and reply tokens generated per
/// second, and what the figures rest on.
public struct SpeedEstimate: Codable, Sendable, Equatable {
  public enum Source: String, Codable, Sendable {
    /// `bench` or `tune` measured this model on this machine.
    case measured
    /// The speed model with this machine's calibration (`detect --calibrate`).
    case calibrated
    /// The speed model with the documented per-architecture figures: no calibration here.
    case estimated
  }

  public var generationTokensPerSecond: Double
  public var promptTokensPerSecond: Double
  public var source: Source

  public init(generationTokensPerSecond: Double, promptTokensPerSecond: Double, source: Source) {
    self.generationTokensPerSecond = generationTokensPerSecond
    self.promptTokensPerSecond = promptTokensPerSecond
    self.source = source
  }

  enum CodingKeys: String, CodingKey {
    case generationTokensPerSecond = "generation_tokens_per_second"
    case promptTokensPerSecond = "prompt_tokens_per_second"
    case source = "speed_source"
  }

  /// The time one request takes: its prompt read, then its reply generated.
  public func seconds(promptTokens: Int, replyTokens: Int) -> Double {
    Double(promptTokens) / max(promptTokensPerSecond, 1e-6) + Double(replyTokens) / max(generationTokensPerSecond, 1e-6)
  }

  /// "12.3 tok/s" with a precision that suits the size.
  public static func format(_ tokensPerSecond: Double) -> String {
    tokensPerSecond >= 100 ? String(format: "%.0f tok/s", tokensPerSecond) : String(format: "%.1f tok/s", tokensPerSecond)
  }
}
