import Foundation
import SynapseLocalSystem

extension ControlClient {
  /// `down`: asks the supervisor to stop the stack and waits until it has exited; returns its pid,
  /// or nil when nothing was running (a second `down` is not an error). One that has not exited
  /// within `seconds` is killed (its keepers then end every service group) and this throws.
  @discardableResult
  public func stopStack(time: any TimeSource, seconds: Double = 120) async throws -> Int32? {
    guard let pid = try runningStack(timeout: 30)?.supervisorPID else { return nil }
    do {
      _ = try send(.down, timeout: seconds)
    } catch StackError.notRunning {
      // It ended between the two questions: stopped all the same.
      return pid
    }
    // The supervisor is not our child: no exit event reaches us, so its pid is watched.
    let deadline = time.now.addingTimeInterval(seconds)
    while kill(pid, 0) == 0 && time.now < deadline { try await time.sleep(for: .milliseconds(100)) }
    if kill(pid, 0) == 0 {
      kill(pid, SIGKILL)
      throw ControlError.didNotStop(seconds: Int(seconds))
    }
    return pid
  }
}
