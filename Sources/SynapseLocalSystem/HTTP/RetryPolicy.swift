import Foundation

/// When and how long to wait before trying a failed request again: connection errors, 429 and 5xx.
public struct RetryPolicy: Sendable {
  public var attempts: Int
  public var baseDelay: Duration
  public var maxDelay: Duration
  public var sleep: @Sendable (Duration) async throws -> Void

  public init(
    attempts: Int = 6, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30),
    sleep: @escaping @Sendable (Duration) async throws -> Void
  ) {
    self.attempts = attempts
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
    self.sleep = sleep
  }

  /// Waits on the context's clock, so a test's backoff takes no real time.
  public init(attempts: Int = 6, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30), time: any TimeSource) {
    self.init(attempts: attempts, baseDelay: baseDelay, maxDelay: maxDelay) { try await time.sleep(for: $0) }
  }

  public static func isRetryable(status: Int) -> Bool { status == 429 || (500...599).contains(status) }

  /// The server's `Retry-After` (seconds) when it gives one, else exponential backoff; capped.
  public func delay(attempt: Int, retryAfter: String?) -> Duration {
    if let seconds = retryAfter.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), seconds >= 0 {
      return min(.seconds(seconds), maxDelay)
    }
    return min(baseDelay * (1 << min(attempt, 20)), maxDelay)
  }
}
