import Foundation
import SynapseLocalSystem

/// What `doctor` found and did: one finding per check, the fixes applied, and the exit status (0
/// when nothing failed, 2 when a check failed; 1 stays "bad input").
public struct DoctorReport: Codable, Sendable, Equatable {
  public var findings: [DoctorFinding]
  /// What `--fix` did, one line each.
  public var fixed: [String]

  public init(findings: [DoctorFinding], fixed: [String] = []) {
    self.findings = findings
    self.fixed = fixed
  }

  public var exitStatus: Int32 { findings.contains { $0.status == .failure } ? 2 : 0 }

  public func count(_ status: DoctorFinding.Status) -> Int { findings.filter { $0.status == status }.count }

  /// The text form: one line per finding, its fix indented below.
  public var text: String {
    let width = (findings.map(\.check.count).max() ?? 0) + 2
    var lines: [String] = []
    for finding in findings {
      let status = finding.status == .failure ? "FAILURE" : finding.status.rawValue
      lines.append(
        status.padding(toLength: 9, withPad: " ", startingAt: 0) + finding.check.padding(toLength: width, withPad: " ", startingAt: 0)
          + finding.message)
      if let fix = finding.fix, finding.status == .failure || finding.status == .warning {
        lines.append(String(repeating: " ", count: 9 + width) + "fix: " + fix)
      }
    }
    for line in fixed { lines.append("--fix: " + line) }
    lines.append(
      "\(count(.ok)) ok, \(count(.warning)) warning(s), \(count(.failure)) failure(s), \(count(.skipped)) skipped")
    return lines.joined(separator: "\n")
  }
}
