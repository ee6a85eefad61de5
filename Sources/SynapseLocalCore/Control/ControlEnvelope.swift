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
