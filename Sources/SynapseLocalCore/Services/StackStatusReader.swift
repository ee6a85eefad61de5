import SynapseLocalSystem

/// `status`: the running stack's status from its supervisor, or, when none answers, the stack as
/// stopped (with why its last start failed, if it did). A stopped stack is an answer, not an error.
public struct StackStatusReader: Sendable {
  public enum Answer: Sendable {
    case running(StackStatus)
    case stopped(StoppedStack)
  }

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  /// `timeout`: how long a supervisor that answers nothing is waited for (a watch waits less).
  public func read(project: String, timeout: Double = 30) throws -> Answer {
    let client = try ControlClient.opened(project: project, context: context)
    guard let status = try client.runningStack(timeout: timeout) else {
      return .stopped(
        StoppedStack(project: client.project, lastStartFailure: LastStartFailure.read(runFolder: client.runFolder, files: context.files)))
    }
    return .running(status)
  }
}
