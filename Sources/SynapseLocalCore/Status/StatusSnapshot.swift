import Foundation

/// What the status page shows at one moment: the supervisor's status (`/api/status`), the chat
/// engine's speed over the last minutes, and the last lines of each service's log without the
/// supervisor's probes. `/api/events` sends the first two as each `status` event's data (this
/// type's JSON) and the logs as `logs` events, each when it changed.
public struct StatusSnapshot: Encodable, Sendable, Equatable {
  public var status: StackStatus
  public var throughput: ThroughputHistory
  /// Each service's last lines, by service name; null for a client on another host.
  public var logs: [String: [String]]?
  /// When it was made (the page's "as of"; not in the JSON, where it would make every event new).
  public var madeAt: Date

  public init(status: StackStatus, throughput: ThroughputHistory, logs: [String: [String]]?, madeAt: Date) {
    self.status = status
    self.throughput = throughput
    self.logs = logs
    self.madeAt = madeAt
  }

  /// What a client on another host may read: no log lines, in the logs or in a failed service's
  /// message (`StatusServer.statusPage`).
  public func forClient(loopback: Bool) -> StatusSnapshot {
    loopback ? self : StatusSnapshot(status: status.withoutLogTails(), throughput: throughput, logs: nil, madeAt: madeAt)
  }

  enum CodingKeys: String, CodingKey { case status, throughput }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(status, forKey: .status)
    try c.encode(throughput, forKey: .throughput)
  }
}
