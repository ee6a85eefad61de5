import Foundation
import SynapseLocalSystem

/// `plan.disk`: free space where the models and the state (database, logs) live.
public struct PlanDiskCheck: DoctorCheck {
  public let id = "plan.disk"
  /// Below this much free space, a failure; below `warningBytes`, a warning.
  public var failureBytes: UInt64 = 1 * ByteCount.gibibyte
  public var warningBytes: UInt64 = 5 * ByteCount.gibibyte
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let environment = subject.context.environment
    let places = [
      ("model store", subject.configuration.storeRoot(project: subject.project, environment: environment)), ("state", subject.state),
    ]
    var seen: [String] = []
    var worst: DoctorFinding.Status = .ok
    for (label, folder) in places {
      // The nearest folder that exists answers for a path not made yet.
      var probe = folder
      while !subject.context.files.exists(probe) && probe.count > 1 { probe = (probe as NSString).deletingLastPathComponent }
      guard let free = subject.context.files.freeBytes(at: probe) else { continue }
      seen.append("\(label) \(ByteCount.format(free)) free")
      if free < failureBytes { worst = .failure } else if free < warningBytes && worst == .ok { worst = .warning }
    }
    guard !seen.isEmpty else { return .skipped(id, "free space could not be read") }
    let message = seen.joined(separator: ", ")
    switch worst {
    case .failure: return .failure(id, message, fix: "free space, or move paths.store / paths.state to a larger disk")
    case .warning:
      return .warning(id, message + ": models, logs and the database grow", fix: "free space, or move paths.store to a larger disk")
    default: return .ok(id, message)
    }
  }
}
