import Foundation

/// One service in `status` and `status --json` (a contract for scripts; docs/stack.md).
public struct ServiceStatus: Codable, Sendable, Equatable {
  public enum State: String, Codable, Sendable, CaseIterable {
    case starting, healthy, unhealthy, restarting, failed, stopped
  }

  public var name: ServiceName
  public var state: State
  /// The service's own process (llama-server, postgres, python), not the keeper.
  public var pid: Int32?
  public var restarts: Int
  /// The port clients use (the stable endpoint's for llm and embedding).
  public var port: Int
  /// Where the engine itself listens, behind the stable endpoint.
  public var enginePort: Int?
  public var uptimeSeconds: Int?
  public var rssBytes: UInt64?
  public var model: String?
  public var lastExit: Int32?
  public var message: String?

  enum CodingKeys: String, CodingKey {
    case name, state, pid, restarts, port, model, message
    case uptimeSeconds = "uptime_seconds"
    case enginePort = "engine_port"
    case rssBytes = "rss_bytes"
    case lastExit = "last_exit"
  }

  /// Between a failed service's reason and the last lines of its log, in `message`.
  public static let logTailMarker = "; last lines of its log:\n"

  /// The reason without the log's lines: a log may hold what the service was sent (prompts,
  /// queries, connection strings), which only this host's users may read.
  public var withoutLogTail: ServiceStatus {
    var status = self
    if let range = message?.range(of: Self.logTailMarker) { status.message = String(message![..<range.lowerBound]) }
    return status
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(state, forKey: .state)
    try c.encode(pid, forKey: .pid)
    try c.encode(restarts, forKey: .restarts)
    try c.encode(port, forKey: .port)
    try c.encodeIfPresent(enginePort, forKey: .enginePort)
    try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
    try c.encode(rssBytes, forKey: .rssBytes)
    try c.encodeIfPresent(model, forKey: .model)
    try c.encode(lastExit, forKey: .lastExit)
    try c.encode(message, forKey: .message)
  }
}
