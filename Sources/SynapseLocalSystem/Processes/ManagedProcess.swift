import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One child process's life, owned in one place: launched through a `ProcessLauncher` (in a
/// process group of its own, its output appended to a log), its exit awaited as an event, and
/// stopped with a signal and a grace period on the context's clock, after which its whole group
/// is killed. The keeper, engine trials, app steps and the launcher's migrations all run their
/// children through it; tests script it with `ScriptedLauncher` and `ManualClock`.
public final class ManagedProcess: Sendable {
  public let command: LaunchCommand
  let launcher: any ProcessLauncher
  let time: any TimeSource
  let box = PIDBox()

  /// Starts `command` at once; its launch and exit are followed by a task of its own, which the
  /// caller's cancellation does not reach (stop or kill it instead).
  public init(launching command: LaunchCommand, launcher: any ProcessLauncher, time: any TimeSource) {
    self.command = command
    self.launcher = launcher
    self.time = time
    let box = box
    Task {
      do {
        let status = try await launcher.run(command) { pid in
          // Killed before its pid was known: the kill is carried out now.
          if box.set(pid) { launcher.killLeftover(pid) }
        }
        box.finish(.success(status))
      } catch {
        box.finish(.failure(error))
      }
    }
  }

  /// Started through the context's launcher, stopped on its clock.
  public convenience init(launching command: LaunchCommand, in context: Context) {
    self.init(launching: command, launcher: context.launcher, time: context.time)
  }

  /// The pid, once it runs.
  public var pid: Int32? { box.value }

  /// Whether it has ended (or failed to start).
  public var hasEnded: Bool { box.ended != nil }

  /// The pid once it runs; nil when it could not start.
  public func started() async -> Int32? {
    await box.started()
  }

  /// Its exit status (128 + the signal when killed), once it ends; throws what kept it from
  /// starting.
  @discardableResult
  public func awaitExit() async throws -> Int32 {
    try await box.exit().get()
  }

  /// Sends `signal` to the process, when it runs.
  public func signal(_ signal: Int32) {
    guard let pid = box.value, box.ended == nil else { return }
    launcher.signal(pid, signal)
  }

  /// SIGKILL to its whole group now, or as soon as it runs.
  public func kill() {
    if let pid = box.killNow() { launcher.killLeftover(pid) }
  }

  /// `signal`, then SIGKILL to the group when it has not ended within `grace` on the clock;
  /// returns once it has ended. It finishes even when the calling task is cancelled.
  public func stop(signal: Int32 = SIGTERM, grace: Duration) async {
    let process = self
    await Task.detached { await process.stopUncancelled(signal: signal, grace: grace) }.value
  }

  func stopUncancelled(signal: Int32, grace: Duration) async {
    guard let pid = await box.started(), box.ended == nil else { return }
    launcher.signal(pid, signal)
    let box = box
    let time = time
    await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        _ = await box.exit()
        return true
      }
      group.addTask {
        // A sleep that throws is over too: the kill must not be skipped.
        try? await time.sleep(for: grace)
        return false
      }
      if await group.next() == false { launcher.killLeftover(pid) }
      group.cancelAll()
    }
  }
}
