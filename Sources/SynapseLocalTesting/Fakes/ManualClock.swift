import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// A clock that moves only when a test says so: `sleep` waits until `advance` passes its deadline.
/// Supervisor tests run restarts, backoff and liveness on it in milliseconds of real time.
public final class ManualClock: TimeSource, @unchecked Sendable {
  private struct Sleeper {
    var deadline: Date
    var continuation: CheckedContinuation<Void, any Error>
  }

  private let lock = NSLock()
  private var current: Date
  private let origin: Date
  private var sleepers: [UUID: Sleeper] = [:]

  public init(now: Date = .testing) {
    current = now
    origin = now
  }

  public var now: Date { lock.withLock { current } }

  /// Moves only with `advance`, as `now` does.
  public var elapsed: Duration { lock.withLock { .seconds(current.timeIntervalSince(origin)) } }

  /// How many tasks are sleeping on this clock now.
  public var sleeping: Int { lock.withLock { sleepers.count } }

  public func sleep(for duration: Duration) async throws {
    let key = UUID()
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        lock.withLock {
          if Task.isCancelled {
            continuation.resume(throwing: CancellationError())
            return
          }
          let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
          if seconds <= 0 {
            continuation.resume()
            return
          }
          sleepers[key] = Sleeper(deadline: current.addingTimeInterval(seconds), continuation: continuation)
        }
      }
    } onCancel: {
      let sleeper = lock.withLock { sleepers.removeValue(forKey: key) }
      sleeper?.continuation.resume(throwing: CancellationError())
    }
  }

  /// Moves the clock on and wakes every sleeper whose deadline has come, earliest first.
  public func advance(by seconds: Double) {
    let due = lock.withLock {
      current = current.addingTimeInterval(seconds)
      let due = sleepers.filter { $0.value.deadline <= current }.sorted { $0.value.deadline < $1.value.deadline }
      for (key, _) in due { sleepers[key] = nil }
      return due.map(\.value.continuation)
    }
    for continuation in due { continuation.resume() }
  }
}
