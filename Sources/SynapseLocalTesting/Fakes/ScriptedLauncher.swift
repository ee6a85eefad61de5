import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// A process launcher with no processes: each launch is recorded with a made-up pid and runs until
/// the test ends it (`exit`) or the supervisor stops it (`signal`, which ends it as a keeper that
/// stopped its group would: 128 + the signal). A signal to a pid it never gave out is a test
/// failure, and so is a launch when `refusesLaunches` is set.
public final class ScriptedLauncher: ProcessLauncher, @unchecked Sendable {
  public struct Launch: Sendable {
    public var pid: Int32
    public var command: LaunchCommand
  }

  private let lock = NSLock()
  private var nextPID: Int32 = 40_000
  private var records: [Launch] = []
  private var running: [Int32: CheckedContinuation<Int32, Never>] = [:]
  private var ended: [Int32: Int32] = [:]
  public var refusesLaunches = false
  /// Signals a run takes no notice of (a child that ignores SIGTERM): recorded, nothing ends.
  public var ignoredSignals: Set<Int32> = []
  /// When set, `killLeftover` kills the run's group (ends it with 128 + SIGKILL) instead of being a
  /// test failure: for code that owns a process group and kills it on purpose.
  public var killsGroups = false
  private var sentSignals: [(pid: Int32, signal: Int32)] = []
  private var groupKills: [Int32] = []
  /// Written into the keeper's `--pid-file` when set: the line a real keeper writes, naming a live
  /// process (so `status` has a pid to show).
  public var pidFileLine: String?
  /// Where pid files are written (the supervisor's `files`).
  public var files: any FileSystem

  public init(files: any FileSystem = RootedFileSystem()) {
    self.files = files
  }

  public var launches: [Launch] { lock.withLock { records } }
  /// Launched and not ended yet.
  public var runningPIDs: [Int32] { lock.withLock { records.map(\.pid).filter { ended[$0] == nil } } }

  public func run(_ command: LaunchCommand, started: @escaping @Sendable (Int32) async -> Void) async throws -> Int32 {
    if refusesLaunches {
      Issue.record("unexpected launch of \(command.executable) \(command.arguments.joined(separator: " "))")
      throw FakeRefusal.launchRefused
    }
    let pid = lock.withLock {
      nextPID += 1
      records.append(Launch(pid: nextPID, command: command))
      return nextPID
    }
    if let line = pidFileLine, let index = command.arguments.firstIndex(of: "--pid-file"), index + 1 < command.arguments.count {
      try? files.write(line, to: command.arguments[index + 1])
    }
    await started(pid)
    let status = await withCheckedContinuation { continuation in
      let alreadyEnded: Int32? = lock.withLock {
        if let status = ended[pid] { return status }
        running[pid] = continuation
        return nil
      }
      if let alreadyEnded { continuation.resume(returning: alreadyEnded) }
    }
    // As a real keeper does on its way out.
    if let index = command.arguments.firstIndex(of: "--pid-file"), index + 1 < command.arguments.count {
      try? files.remove(command.arguments[index + 1])
    }
    return status
  }

  /// The signals sent so far, in order.
  public var signals: [(pid: Int32, signal: Int32)] { lock.withLock { sentSignals } }
  /// The groups killed so far (with `killsGroups`), in order.
  public var killedGroups: [Int32] { lock.withLock { groupKills } }

  public func killLeftover(_ pid: Int32) {
    guard lock.withLock({ killsGroups }) else {
      Issue.record("asked to kill leftover pid \(pid): a scripted run never leaves one")
      return
    }
    lock.withLock { groupKills.append(pid) }
    exit(pid, status: 128 + SIGKILL)
  }

  /// Ends a run with `status`, as if its service had exited.
  public func exit(_ pid: Int32, status: Int32) {
    let continuation = lock.withLock {
      if ended[pid] == nil { ended[pid] = status }
      return running.removeValue(forKey: pid)
    }
    continuation?.resume(returning: status)
  }

  public func signal(_ pid: Int32, _ signal: Int32) {
    let (known, ignored) = lock.withLock {
      sentSignals.append((pid, signal))
      return (records.contains { $0.pid == pid }, ignoredSignals.contains(signal))
    }
    guard known else {
      Issue.record("signal \(signal) to pid \(pid), which this launcher never started")
      return
    }
    if !ignored { exit(pid, status: 128 + signal) }
  }
}
