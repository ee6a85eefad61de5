/// One thing `doctor` looks at: a small type with a documented id, run against what was gathered
/// once (`DoctorSubject`). Slow checks run only with `--deep`.
public protocol DoctorCheck: Sendable {
  var id: String { get }
  /// Slow (a full digest, a real model load): only with `--deep`.
  var deep: Bool { get }
  func run(_ subject: DoctorSubject) async -> DoctorFinding
}

extension DoctorCheck {
  public var deep: Bool { false }
}
