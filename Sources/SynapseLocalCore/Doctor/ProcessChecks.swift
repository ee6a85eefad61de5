import Foundation
import SynapseLocalSystem

/// `ports`: every planned port is free, or held by this project's own running service; anything
/// else is named with its process.
public struct PortsCheck: DoctorCheck {
  public let id = "ports"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    let owner = subject.context.ports.owner(of:)
    var planned: [(ServiceName, Int)] = [(.db, c.db.port), (.llm, c.llm.port), (.embedding, c.embedding.port)]
    if c.backend.enabled { planned.append((.backend, c.backend.port)) }
    if c.frontend.enabled { planned.append((.frontend, c.frontend.port)) }
    var own: [String] = []
    // The supervisor's own status port: held by it while the stack runs.
    if let holder = owner(c.status.port) {
      if subject.stack != nil {
        own.append("\(c.status.port) (status port)")
      } else {
        return .failure(
          id, "port \(c.status.port), the status port (metrics), is taken by \(holder.isEmpty ? "another process" : holder)",
          fix: "stop that process, or set status.port in synapse-local.yaml to a free port")
      }
    }
    for (name, port) in planned {
      guard let holder = owner(port) else { continue }
      if let service = subject.service(name), service.port == port, service.state != .stopped {
        own.append("\(port) (\(name.rawValue))")
        continue
      }
      let who = holder.isEmpty ? "another process" : holder
      if holder.contains("docker") {
        // A compose stack of this project publishes the same ports.
        return .warning(
          id,
          "port \(port), planned for \(name.rawValue), is published by \(who): a compose stack (docker-compose.local.yml) may be running",
          fix: "docker compose -f docker-compose.local.yml down before `synapse-local up`, or use one of the two")
      }
      return .failure(
        id, "port \(port), planned for \(name.rawValue), is taken by \(who)",
        fix:
          "stop that process, or give \(name.rawValue) another port: \(name.rawValue).port in synapse-local.yaml, then synapse-local generate\(subject.projectFlag)"
      )
    }
    return .ok(
      id, own.isEmpty ? "every planned port is free" : "held by this project's services: \(own.joined(separator: ", ")); the rest free")
  }
}

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
