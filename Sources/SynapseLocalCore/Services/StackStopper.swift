import SynapseLocalSystem

/// `down`: stops the project's running stack through its supervisor (services in reverse order);
/// a stack that is not running is stopped already, not an error.
public struct StackStopper: Sendable {
  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  public func stop(project: String) async throws -> StopReport {
    let client = try ControlClient.opened(project: project, context: context)
    return StopReport(project: client.project, supervisorPID: try await client.stopStack(time: context.time))
  }
}
