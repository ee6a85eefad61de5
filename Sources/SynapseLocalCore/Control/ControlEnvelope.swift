/// Every message on the control socket, both ways: the protocol and tool versions, then the body.
/// `ok` and `error` are the fields protocol 1 read, so that a client or supervisor of 0.1.x still
/// gets a readable refusal instead of garbage.
struct ControlEnvelope<Body: Codable & Sendable>: Codable, Sendable {
  var protocolVersion: Int
  var tool: String
  var body: Body?
  var ok: Bool
  var error: String?

  init(body: Body?, error: String? = nil) {
    protocolVersion = ToolVersion.controlProtocol
    tool = ToolVersion.current
    self.body = body
    ok = error == nil
    self.error = error
  }

  enum CodingKeys: String, CodingKey {
    case protocolVersion = "protocol"
    case tool, body, ok, error
  }
}

/// The versions a message claims, read before its body (whatever the body's shape).
struct ControlVersions: Decodable {
  var protocolVersion: Int?
  var tool: String?
  var ok: Bool?
  var error: String?

  enum CodingKeys: String, CodingKey {
    case protocolVersion = "protocol"
    case tool, ok, error
  }

  /// The line both sides give when they do not speak the same protocol.
  static func mismatch(client: String, supervisor: String) -> String {
    "this synapse-local client is \(client) and the running supervisor is \(supervisor): they cannot talk. Stop the stack with the synapse-local that started it (`synapse-local down`), then `up` again with this one"
  }

  /// The peer's versions in words.
  var described: String {
    guard let protocolVersion else { return "an earlier version (control protocol 1)" }
    return "\(tool ?? "?") (control protocol \(protocolVersion))"
  }

  static var mine: String { "\(ToolVersion.current) (control protocol \(ToolVersion.controlProtocol))" }
}
