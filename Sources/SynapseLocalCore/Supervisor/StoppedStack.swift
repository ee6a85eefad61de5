/// `status --json` when no supervisor answers: the keys of a running stack's document
/// (`StackStatus`) with `state: stopped`, no services, and why the last start failed, if it did.
/// Stopped is an answer, not an error: `status` exits 0 (docs/stack.md).
public struct StoppedStack: Encodable, Sendable, Equatable {
  public var project: String
  /// The reason the last `up` failed, kept until a start succeeds (`LastStartFailure`).
  public var lastStartFailure: String?

  public init(project: String, lastStartFailure: String? = nil) {
    self.project = project
    self.lastStartFailure = lastStartFailure
  }

  enum CodingKeys: String, CodingKey {
    case project, state, services, swap
    case supervisorPID = "supervisor_pid"
    case lastSwap = "last_swap"
    case statusPort = "status_port"
    case lastStartFailure = "last_start_failure"
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(project, forKey: .project)
    try c.encode("stopped", forKey: .state)
    try c.encodeNil(forKey: .supervisorPID)
    try c.encode([ServiceStatus](), forKey: .services)
    try c.encodeNil(forKey: .swap)
    try c.encodeNil(forKey: .lastSwap)
    try c.encodeNil(forKey: .statusPort)
    try c.encode(lastStartFailure, forKey: .lastStartFailure)
  }
}
