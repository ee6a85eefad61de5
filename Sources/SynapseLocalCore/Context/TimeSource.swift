import Foundation

/// The clock: what time it is and waiting. The supervisor's restarts, backoff, health intervals
/// and swaps read it, so their tests run on a manual clock in milliseconds.
public protocol TimeSource: Sendable {
  var now: Date { get }
  /// Throws `CancellationError` when the waiting task is cancelled.
  func sleep(for duration: Duration) async throws
}

extension TimeSource {
  public func seconds(since start: Date) -> Double { now.timeIntervalSince(start) }
}

/// The real clock.
public struct SystemTime: TimeSource {
  public init() {}

  public var now: Date { Date() }

  public func sleep(for duration: Duration) async throws {
    try await Task.sleep(for: duration)
  }
}
