import Foundation

/// A launched process's pid once it runs and its end once it ends, for the code that watches it
/// from other tasks (a cancellation handler reads it synchronously; a stop awaits it). A kill asked
/// for before the pid is known is kept and reported when the pid arrives.
final class PIDBox: @unchecked Sendable {
  private let lock = NSLock()
  private var pid: Int32?
  private var end: Result<Int32, any Error>?
  private var killWanted = false
  private var startWaiters: [CheckedContinuation<Int32?, Never>] = []
  private var endWaiters: [CheckedContinuation<Result<Int32, any Error>, Never>] = []

  /// The pid, once the process runs.
  var value: Int32? { lock.withLock { pid } }
  /// The exit status (or why it could not start), once it has ended.
  var ended: Result<Int32, any Error>? { lock.withLock { end } }

  /// Records the pid; true when a kill was asked for before it was known.
  func set(_ value: Int32) -> Bool {
    let (waiters, kill) = lock.withLock {
      pid = value
      defer { startWaiters = [] }
      return (startWaiters, killWanted)
    }
    for waiter in waiters { waiter.resume(returning: value) }
    return kill
  }

  /// Records the end: the exit status, or the error that kept it from starting.
  func finish(_ result: Result<Int32, any Error>) {
    let (starts, ends, pid) = lock.withLock {
      end = result
      defer {
        startWaiters = []
        endWaiters = []
      }
      return (startWaiters, endWaiters, self.pid)
    }
    for waiter in starts { waiter.resume(returning: pid) }
    for waiter in ends { waiter.resume(returning: result) }
  }

  /// The pid of a running process to kill now; nil when there is none yet (the kill is then kept
  /// for `set`) or it has ended.
  func killNow() -> Int32? {
    lock.withLock {
      guard end == nil else { return nil }
      guard let pid else {
        killWanted = true
        return nil
      }
      return pid
    }
  }

  /// The pid once the process runs; nil when it ended without running.
  func started() async -> Int32? {
    await withCheckedContinuation { continuation in
      let known: Int32?? = lock.withLock {
        if let pid { return .some(pid) }
        if end != nil { return .some(nil) }
        startWaiters.append(continuation)
        return .none
      }
      if let known { continuation.resume(returning: known) }
    }
  }

  /// The end, once it comes.
  func exit() async -> Result<Int32, any Error> {
    await withCheckedContinuation { continuation in
      let known: Result<Int32, any Error>? = lock.withLock {
        if let end { return end }
        endWaiters.append(continuation)
        return nil
      }
      if let known { continuation.resume(returning: known) }
    }
  }
}
