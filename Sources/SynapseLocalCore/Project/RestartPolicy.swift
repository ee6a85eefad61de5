/// When the supervisor starts a service again after it exits.
public enum RestartPolicy: String, Sendable, CaseIterable, Codable {
  /// After a non-zero exit or a signal (the default).
  case onFailure = "on-failure"
  /// After any exit.
  case always
  /// Never: an exit leaves it failed.
  case never
}
