/// One check's verdict: what it saw, and the fix as a command or an edit. The JSON form is a
/// documented contract (docs/doctor.md).
public struct DoctorFinding: Codable, Sendable, Equatable {
  public enum Status: String, Codable, Sendable, CaseIterable {
    case ok, warning, failure, skipped
  }

  /// The check's id, e.g. `plan.memory`.
  public var check: String
  public var status: Status
  public var message: String
  /// A command to run or an edit to make; nil when nothing is to be done.
  public var fix: String?

  enum CodingKeys: String, CodingKey {
    case check, status, message, fix
  }

  /// `fix` is always present in JSON: null when there is nothing to do.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(check, forKey: .check)
    try c.encode(status, forKey: .status)
    try c.encode(message, forKey: .message)
    try c.encode(fix, forKey: .fix)
  }

  public init(check: String, status: Status, message: String, fix: String? = nil) {
    self.check = check
    self.status = status
    self.message = message
    self.fix = fix
  }

  public static func ok(_ check: String, _ message: String) -> DoctorFinding { .init(check: check, status: .ok, message: message) }
  public static func warning(_ check: String, _ message: String, fix: String?) -> DoctorFinding {
    .init(check: check, status: .warning, message: message, fix: fix)
  }
  public static func failure(_ check: String, _ message: String, fix: String?) -> DoctorFinding {
    .init(check: check, status: .failure, message: message, fix: fix)
  }
  public static func skipped(_ check: String, _ reason: String) -> DoctorFinding {
    .init(check: check, status: .skipped, message: reason)
  }
}
