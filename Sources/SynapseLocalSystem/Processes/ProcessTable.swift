import Foundation

/// What `/proc` says about processes, read through a file system so that `SYNAPSE_LOCAL_SYSROOT`
/// and tests can stand in for it.
public struct ProcessTable: Sendable {
  public var system: any FileSystem

  public init(system: any FileSystem) {
    self.system = system
  }

  /// The machine's own `/proc`.
  public static let live = ProcessTable(system: RootedFileSystem())

  /// The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses):
  /// the state is the first, the parent pid the second, the start time the twentieth.
  func statFields(_ pid: pid_t) -> [Substring]? {
    guard let stat = system.readText("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ")
  }

  /// Whether a process is running; a zombie (exited, not yet reaped) counts as gone.
  public func isAlive(_ pid: pid_t) -> Bool {
    guard let state = statFields(pid)?.first else { return false }
    return state != "Z"
  }

  /// Clock ticks since boot when the process started (field 22 of its stat).
  public func startTime(_ pid: pid_t) -> UInt64? {
    guard let fields = statFields(pid), fields.count > 19 else { return nil }
    return UInt64(fields[19])
  }

  public func parent(of pid: pid_t) -> pid_t? {
    guard let fields = statFields(pid), fields.count > 1 else { return nil }
    return pid_t(fields[1])
  }

  /// Every process whose parent is `pid` (the keeper's adopted orphans).
  public func children(of pid: pid_t) -> [pid_t] {
    (system.list("/proc") ?? []).compactMap { pid_t($0) }.filter { parent(of: $0) == pid }
  }

  /// The process and everything below it (a package manager, its shell, node), from one pass over
  /// /proc.
  public func tree(_ pid: pid_t) -> [pid_t] {
    var children: [pid_t: [pid_t]] = [:]
    for other in (system.list("/proc") ?? []).compactMap({ pid_t($0) }) {
      if let parent = parent(of: other) { children[parent, default: []].append(other) }
    }
    var found = [pid]
    var index = 0
    while index < found.count {
      found += children[found[index]] ?? []
      index += 1
    }
    return found
  }

  /// Resident memory of a whole process tree: what a service built of several processes uses.
  public func treeResidentBytes(_ pid: pid_t) -> UInt64? {
    guard let own = residentBytes(pid) else { return nil }
    return tree(pid).dropFirst().reduce(own) { $0 + (residentBytes($1) ?? 0) }
  }

  /// Resident memory (VmRSS).
  public func residentBytes(_ pid: pid_t) -> UInt64? {
    guard let text = system.readText("/proc/\(pid)/status"),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return nil }
    return line.split(separator: " ").compactMap { UInt64($0) }.first.map { $0 * 1024 }
  }

  /// "name (pid N)" of the process listening on a TCP port: the socket's inode from /proc/net/tcp,
  /// then the process holding it (only processes we may inspect).
  public func listener(port: Int) -> String? {
    let hexPort = String(format: "%04X", port)
    var inodes: Set<String> = []
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
      guard let text = system.readText(table) else { continue }
      for line in text.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        guard fields.count > 9, fields[1].hasSuffix(":" + hexPort), fields[3] == "0A" else { continue }
        inodes.insert(String(fields[9]))
      }
    }
    guard !inodes.isEmpty else { return nil }
    for entry in system.list("/proc") ?? [] where pid_t(entry) != nil {
      for fd in system.list("/proc/\(entry)/fd") ?? [] {
        guard let target = system.linkTarget("/proc/\(entry)/fd/\(fd)"), target.hasPrefix("socket:["),
          inodes.contains(String(target.dropFirst(8).dropLast()))
        else { continue }
        let name = system.readText("/proc/\(entry)/comm")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        return "\(name) (pid \(entry))"
      }
    }
    return nil
  }
}
