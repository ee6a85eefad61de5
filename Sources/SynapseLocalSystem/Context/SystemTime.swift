import Foundation

/// The real clock.
public struct SystemTime: TimeSource {
  /// The origin of `elapsed`: this process's first reading.
  private static let origin = ContinuousClock.now

  public init() {}

  public var now: Date { Date() }

  public var elapsed: Duration { ContinuousClock.now - Self.origin }

  public func sleep(for duration: Duration) async throws {
    try await Task.sleep(for: duration)
  }
}
