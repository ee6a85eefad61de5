import Foundation

/// The clock: what time it is, a monotonic reading for measuring how long something took, and
/// waiting. The supervisor's restarts, backoff, health intervals and swaps read it, so their tests
/// run on a manual clock in milliseconds.
public protocol TimeSource: Sendable {
  var now: Date { get }
  /// Time since an arbitrary origin on a clock that setting the wall clock does not move: only
  /// differences mean something (how long a health check or a search took).
  var elapsed: Duration { get }
  /// Throws `CancellationError` when the waiting task is cancelled.
  func sleep(for duration: Duration) async throws
}

extension TimeSource {
  public func seconds(since start: Date) -> Double { now.timeIntervalSince(start) }

  /// How long since an earlier `elapsed` reading.
  public func duration(since start: Duration) -> Duration { elapsed - start }
}
