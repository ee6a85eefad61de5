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
