/// One project key set from a command-line flag (`--llm-port 9080` is `llm.port: 9080`).
public struct ProjectOverride: Sendable, Equatable {
  /// The flag as typed, for messages.
  public var flag: String
  public var key: String
  public var value: String

  public init(flag: String, key: String, value: String) {
    self.flag = flag
    self.key = key
    self.value = value
  }
}
