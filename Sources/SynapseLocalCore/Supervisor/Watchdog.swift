import Foundation
import SynapseLocalSystem

/// Judges one engine run's generation speed against what is expected here, from the engine's own
/// counters. A window is `windowSeconds` of the engine's generation time (its tokens and seconds
/// counted when requests end, so time spent idle or reading prompts is no part of it); readings
/// with no generation add nothing. `slowWindows` windows in a row under `slowRatio` of the
/// expectation make the run degraded; one window at or above it ends that.
public struct Watchdog: Sendable, Equatable {
  public struct Settings: Sendable, Equatable {
    /// A window under this share of the expected speed is slow (`llm.slow_ratio`); 0: off.
    public var slowRatio = 0.4
    /// Slow windows in a row before the engine reads degraded.
    public var slowWindows = 3
    /// The engine's generation time (its own count) that makes one window.
    public var windowSeconds: Double = 20
    /// How often the engine's counters are read (at the liveness checks, so never more often).
    public var interval: Duration = .seconds(10)
    /// Restart a degraded engine once (`llm.restart_when_degraded`).
    public var restartWhenDegraded = false

    public init() {}
  }

  /// What a reading changed.
  public enum Verdict: Sendable, Equatable {
    /// A window closed at `measured` tokens/s, slow or not, and the state stays as it was.
    case window(measured: Double, slow: Bool)
    /// The slow windows reached the limit: the engine is degraded, with these figures.
    case degraded(ServiceStatus.Slowness)
    /// Still degraded: another slow window, the figures updated.
    case stillSlow(ServiceStatus.Slowness)
    /// A window at or above the ratio ended a degradation.
    case recovered(measured: Double)
  }

  public let settings: Settings
  public let expected: ExpectedSpeed
  public private(set) var slowInARow = 0
  public private(set) var degraded = false
  /// The counters at the last reading, and what the open window has gathered since it opened.
  private var last: (tokens: Double, seconds: Double)?
  private var window: (tokens: Double, seconds: Double) = (0, 0)

  public init(settings: Settings, expected: ExpectedSpeed) {
    self.settings = settings
    self.expected = expected
  }

  public static func == (a: Watchdog, b: Watchdog) -> Bool {
    a.settings == b.settings && a.expected == b.expected && a.slowInARow == b.slowInARow && a.degraded == b.degraded
      && a.last?.tokens == b.last?.tokens && a.last?.seconds == b.last?.seconds && a.window == b.window
  }

  /// Takes a reading of the engine's counters; a verdict when it closed a window.
  public mutating func observe(_ reading: EngineReading) -> Verdict? {
    guard settings.slowRatio > 0, let tokens = reading.generatedTokens, let seconds = reading.generationSeconds else { return nil }
    defer { last = (tokens, seconds) }
    // The first reading, or counters that went back (the engine started over): a new baseline.
    guard let last, tokens >= last.tokens, seconds >= last.seconds else { return nil }
    let added = (tokens: tokens - last.tokens, seconds: seconds - last.seconds)
    guard added.seconds > 0, added.tokens > 0 else { return nil }
    window.tokens += added.tokens
    window.seconds += added.seconds
    guard window.seconds >= settings.windowSeconds else { return nil }
    let measured = window.tokens / window.seconds
    window = (0, 0)
    return judge(measured)
  }

  /// One closed window's speed against the expectation.
  mutating func judge(_ measured: Double) -> Verdict {
    guard measured < settings.slowRatio * expected.tokensPerSecond else {
      slowInARow = 0
      guard degraded else { return .window(measured: measured, slow: false) }
      degraded = false
      return .recovered(measured: measured)
    }
    slowInARow += 1
    let slowness = ServiceStatus.Slowness(
      measuredTokensPerSecond: measured, expectedTokensPerSecond: expected.tokensPerSecond, expectedFrom: expected.from.rawValue,
      slowWindows: slowInARow)
    if degraded { return .stillSlow(slowness) }
    guard slowInARow >= settings.slowWindows else { return .window(measured: measured, slow: true) }
    degraded = true
    return .degraded(slowness)
  }
}
