/// `down --json`: the stack is stopped now, whether this `down` stopped it or nothing was running.
public struct StopReport: Codable, Sendable, Equatable {
  public var project: String
  /// The supervisor this `down` stopped; nil when nothing was running.
  public var supervisorPID: Int32?

  public init(project: String, supervisorPID: Int32?) {
    self.project = project
    self.supervisorPID = supervisorPID
  }

  public var wasRunning: Bool { supervisorPID != nil }

  enum CodingKeys: String, CodingKey {
    case project, state
    case wasRunning = "was_running"
    case supervisorPID = "supervisor_pid"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    project = try c.decode(String.self, forKey: .project)
    supervisorPID = try c.decodeIfPresent(Int32.self, forKey: .supervisorPID)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(project, forKey: .project)
    try c.encode("stopped", forKey: .state)
    try c.encode(wasRunning, forKey: .wasRunning)
    try c.encode(supervisorPID, forKey: .supervisorPID)
  }
}
