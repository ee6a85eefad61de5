import Foundation
import SynapseLocalSystem

/// What the supervisor reports for the whole project.
public struct StackStatus: Codable, Sendable, Equatable {
  public var project: String
  public var supervisorPID: Int32
  public var services: [ServiceStatus]
  /// The swap under way (null when none), and the last one finished.
  public var swap: SwapProgress?
  public var lastSwap: SwapReport?
  /// The status port (`/metrics`, `/api/status`); null from a supervisor without one.
  public var statusPort: Int?

  enum CodingKeys: String, CodingKey {
    case project, services, swap
    case supervisorPID = "supervisor_pid"
    case lastSwap = "last_swap"
    case statusPort = "status_port"
  }

  /// `state` is written for scripts (`running` here, `stopped` in `StoppedStack`), never read back.
  private enum StateKey: String, CodingKey { case state }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(project, forKey: .project)
    var state = encoder.container(keyedBy: StateKey.self)
    try state.encode("running", forKey: .state)
    try c.encode(supervisorPID, forKey: .supervisorPID)
    try c.encode(services, forKey: .services)
    try c.encode(swap, forKey: .swap)
    try c.encode(lastSwap, forKey: .lastSwap)
    try c.encode(statusPort, forKey: .statusPort)
  }

  /// What another host may read (`/api/status` under `expose_models`): no service's log lines.
  public func withoutLogTails() -> StackStatus {
    var status = self
    status.services = services.map(\.withoutLogTail)
    return status
  }

  public init(project: String, supervisorPID: Int32, services: [ServiceStatus]) {
    self.project = project
    self.supervisorPID = supervisorPID
    self.services = services
  }
}
