import Foundation
import SynapseLocalSystem

/// What stops synapse-local from finding, preparing or starting the Synapse apps. Each is one line
/// that says what was looked for or run, where, and what to do.
public enum AppError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Reason: Error, Sendable, Equatable {
    case malformed(String)
  }

  /// A package.json or workspace file that cannot be read.
  case malformedFile(path: String, reason: String)
  /// Two packages fit one role.
  case ambiguous(role: ServiceName, candidates: [String], flag: String)
  /// A step (install, build, migrate) failed.
  case stepFailed(service: ServiceName, step: String, command: String, status: Int32, log: String, lastLines: String)
  /// Something the apps need before they start: Node, the package manager, the lockfile, a port.
  case notReady(service: ServiceName, problem: String)

  public var description: String {
    switch self {
    case .malformedFile(let path, let reason):
      "\(path): \(reason); fix the file (npm and pnpm would refuse it too), or name the app with --backend-dir/--frontend-dir"
    case .ambiguous(let role, let candidates, let flag):
      "two packages could be the \(role.rawValue): \(candidates.joined(separator: " and ")); choose one with \(flag) DIR"
    case .stepFailed(let service, let step, let command, let status, let log, let lastLines):
      "\(service.rawValue): \(step) (`\(command)`) exited with status \(status); the whole output is in \(log). Its last lines:\n"
        + lastLines
    case .notReady(let service, let problem):
      "\(service.rawValue): \(problem)"
    }
  }
}
