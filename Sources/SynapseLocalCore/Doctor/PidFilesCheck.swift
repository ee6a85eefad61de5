import Foundation
import SynapseLocalSystem

/// `processes.pid-files`: pid files whose process is gone (a supervisor killed with -9), and
/// services still running after their supervisor died.
public struct PidFilesCheck: DoctorCheck {
  public let id = "processes.pid-files"
  public init() {}

  public struct Scan: Sendable, Equatable {
    public var stale: [String] = []
    public var orphans: [(file: String, pid: Int32)] = []
    public static func == (a: Scan, b: Scan) -> Bool { a.stale == b.stale && a.orphans.map(\.pid) == b.orphans.map(\.pid) }
  }

  public static func scan(_ subject: DoctorSubject) -> Scan {
    let files = subject.context.files
    let folder = subject.runFolder
    var scan = Scan()
    let supervisorAlive = ProcessRecord.live(folder + "/supervisor.pid", files: files, table: subject.context.processTable) != nil
    for name in (files.list(folder) ?? []).sorted() where name.hasSuffix(".pid") {
      let path = folder + "/" + name
      if let pid = ProcessRecord.live(path, files: files, table: subject.context.processTable) {
        if !supervisorAlive && name != "supervisor.pid" && subject.stack == nil { scan.orphans.append((path, pid)) }
      } else {
        scan.stale.append(path)
      }
    }
    return scan
  }

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let scan = Self.scan(subject)
    if let orphan = scan.orphans.first {
      return .failure(
        id,
        "\((orphan.file as NSString).lastPathComponent.replacingOccurrences(of: ".pid", with: "")) (pid \(orphan.pid)) still runs, but its supervisor is gone\(scan.orphans.count > 1 ? " (and \(scan.orphans.count - 1) more)" : "")",
        fix: "synapse-local down\(subject.projectFlag) stops what the pid files name")
    }
    if !scan.stale.isEmpty {
      let names = scan.stale.map { ($0 as NSString).lastPathComponent }
      return .warning(
        id, "stale pid file(s) \(names.joined(separator: ", ")) in \(subject.runFolder): their processes are gone",
        fix: "synapse-local doctor --fix\(subject.projectFlag) removes them")
    }
    return .ok(id, "no stale pid file")
  }
}
