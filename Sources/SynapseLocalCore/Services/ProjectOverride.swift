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

  /// `--set KEY=VALUE`; a pair without `=` sets the key to nothing, which the key's check refuses.
  public init(setting pair: String) {
    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
    self.init(flag: "--set \(parts.first ?? pair)", key: parts.first ?? pair, value: parts.count == 2 ? parts[1] : "")
  }
}
