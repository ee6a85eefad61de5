import Foundation

/// What the supervisor reports for the whole project.
public struct StackStatus: Codable, Sendable, Equatable {
  public var project: String
  public var supervisorPID: Int32
  public var services: [ServiceStatus]
  /// The swap under way (null when none), and the last one finished.
  public var swap: SwapProgress?
  public var lastSwap: SwapReport?

  enum CodingKeys: String, CodingKey {
    case project, services, swap
    case supervisorPID = "supervisor_pid"
    case lastSwap = "last_swap"
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(project, forKey: .project)
    try c.encode(supervisorPID, forKey: .supervisorPID)
    try c.encode(services, forKey: .services)
    try c.encode(swap, forKey: .swap)
    try c.encode(lastSwap, forKey: .lastSwap)
  }

  public init(project: String, supervisorPID: Int32, services: [ServiceStatus]) {
    self.project = project
    self.supervisorPID = supervisorPID
    self.services = services
  }
}
