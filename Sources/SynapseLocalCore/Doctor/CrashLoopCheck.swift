import Foundation
import SynapseLocalSystem

/// `processes.crash-loop`: a service the supervisor keeps restarting, or gave up on, with its
/// last log lines and the cause recognised in them; with the stack down, why the last `up` failed.
public struct CrashLoopCheck: DoctorCheck {
  public let id = "processes.crash-loop"
  public init() {}

  /// The stack is down: the last start's failure, if `up` recorded one, with the cause read from
  /// the reason and the log of the service it names.
  func lastStart(_ subject: DoctorSubject) -> DoctorFinding {
    guard let reason = LastStartFailure.read(runFolder: subject.runFolder, files: subject.context.files) else {
      return .skipped(id, "the stack is not running (synapse-local up), and its last start did not fail")
    }
    // The service the reason starts with ("llm keeps exiting ..."), else the first it names.
    let service =
      ServiceName.allCases.first { reason.hasPrefix($0.rawValue + " ") || reason.hasPrefix($0.rawValue + ":") }
      ?? ServiceName.allCases.first { reason.contains($0.rawValue + " ") }
    let log = service.map { subject.logFolder + "/\($0.rawValue).log" }
    let tail = log.flatMap { subject.context.files.readText($0) }.map { $0.split(separator: "\n").suffix(40).joined(separator: "\n") } ?? ""
    let cause = LogCause.recognize(reason + "\n" + tail)
    let summary = reason.split(separator: "\n").first.map(String.init) ?? reason
    return .failure(
      id, "the last `up` failed: \(summary)\(cause.map { " (\($0.summary))" } ?? "")",
      fix: (cause?.fix ?? "read the log") + (service.map { " (synapse-local logs \($0.rawValue)\(subject.projectFlag))" } ?? ""))
  }

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    guard let stack = subject.stack else { return lastStart(subject) }
    // A restart someone asked for is not trouble: only crashes (exits, hangs) are.
    let troubled = stack.services.filter {
      $0.state == .failed
        || ($0.crashes > 0 && ($0.state == .unhealthy || ($0.state == .restarting && $0.lastExitWasCrash != false)))
    }
    guard let service = troubled.first else {
      let crashed = stack.services.filter { $0.crashes > 0 }.map { "\($0.name.rawValue) \($0.crashes)" }
      let asked = stack.services.filter { $0.restarts > $0.crashes }.map { "\($0.name.rawValue) \($0.restarts - $0.crashes)" }
      let note = asked.isEmpty ? "" : " (restarted as asked: \(asked.joined(separator: ", ")))"
      return .ok(
        id, (crashed.isEmpty ? "no service has crashed" : "crashed, restarted, now healthy: \(crashed.joined(separator: ", "))") + note)
    }
    let log = subject.logFolder + "/\(service.name.rawValue).log"
    let tail = (subject.context.files.readText(log) ?? "").split(separator: "\n").suffix(40).joined(separator: "\n")
    let cause = LogCause.recognize(tail, exitStatus: service.lastExit)
    let last = tail.split(separator: "\n").suffix(3).joined(separator: " | ")
    let state = service.state == .failed ? "failed after \(service.restarts) restart(s)" : "is restarting (\(service.restarts) so far)"
    return .failure(
      id,
      "\(service.name.rawValue) \(state)\(service.lastExit.map { ", last exit \($0)" } ?? "")\(cause.map { ": \($0.summary)" } ?? ""); its log ends: \(last)",
      fix: (cause?.fix ?? "read the log") + " (synapse-local logs \(service.name.rawValue)\(subject.projectFlag))")
  }
}
