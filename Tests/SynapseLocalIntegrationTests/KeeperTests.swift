import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// Both keepers, the one in C (`synapse-local-keeper`, run where it sits beside the binary) and
/// the binary's own `keeper` command (run otherwise), keep the same promises: a pid file naming
/// the service and its start time, the stop signal to the whole group, and nothing left behind
/// when their parent, the supervisor, is killed with SIGKILL, a grandchild that left the group
/// with setsid included.
@Suite("keepers", .tags(.integration), .serialized)
struct KeeperTests {
  static let cKeeper = (Fixtures.executable as NSString).deletingLastPathComponent + "/synapse-local-keeper"

  static func keeper(_ kind: String) -> [String] { kind == "c" ? [cKeeper] : [Fixtures.executable, "keeper"] }

  /// Every live process named `marker` (its argv[0], set with bash's `exec -a`).
  static func processes(_ marker: String) -> [Int32] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
      ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").hasPrefix(marker + "\0")
    }
  }

  static func waitFor(_ seconds: Double, _ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<Int(seconds * 20) {
      if condition() { return true }
      try await Task.sleep(for: .milliseconds(50))
    }
    return condition()
  }

  @Test(.timeLimit(.minutes(1)), arguments: ["c", "swift"])
  func theGroupEndsWithTheParentEvenByKill9(kind: String) async throws {
    #expect(FileManager.default.isExecutableFile(atPath: Self.cKeeper), "swift build builds synapse-local-keeper beside synapse-local")
    let folder = NSTemporaryDirectory() + "keeper-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let marker = "keeper-test-\(UUID().uuidString.prefix(8))"
    // The service: a shell with a child in its group and a grandchild that left it (setsid).
    let service = "sleep 300 & setsid sleep 301 & exec -a \(marker) sleep 302"
    let keeper = (Self.keeper(kind) + ["--pid-file", folder + "/svc.pid", "--grace", "2", "--", "/bin/bash", "-c", service])
      .map { "'" + $0 + "'" }.joined(separator: " ")
    // Its parent stands in for the supervisor: a shell that waits on the keeper.
    let parent = try TestProcess("/bin/sh", ["-c", "\(keeper) & wait"])
    let recorded = try await Self.waitFor(10) { FileManager.default.fileExists(atPath: folder + "/svc.pid") }
    try #require(recorded, "no pid file")
    let record = try String(contentsOfFile: folder + "/svc.pid", encoding: .utf8)
    let pid = try #require(record.split(separator: " ").first.flatMap { Int32($0) })
    #expect(ProcessRecord.live(folder + "/svc.pid", files: RootedFileSystem(), table: .live) == pid, "\(record)")
    _ = try await Self.waitFor(5) { Self.processes(marker).count == 1 }
    #expect(Self.processes(marker) == [pid], "the pid file names the service itself")
    let keeperPID = try #require(ProcessTable.live.parent(of: pid))
    if kind == "c" {
      // A keeper in C is small: a few pages of its own (a Swift keeper holds about 28 MiB).
      let status = try String(contentsOfFile: "/proc/\(keeperPID)/status", encoding: .utf8)
      func kibibytes(_ field: String) -> Int {
        status.split(separator: "\n").first { $0.hasPrefix(field + ":") }.flatMap { Int($0.split(separator: " ")[1]) } ?? .max
      }
      #expect(kibibytes("RssAnon") < 2048 && kibibytes("VmRSS") < 8192, "\(status)")
    }
    let sleepers = {
      ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { p in
        ProcessTable.live.parent(of: p) == keeperPID || ProcessTable.live.parent(of: p) == pid
      }
    }
    #expect(sleepers().count >= 2, "the service's children run")
    let children = sleepers()

    kill(try #require(parent.processIdentifier), SIGKILL)
    let gone = try await Self.waitFor(5) { !([pid, keeperPID] + children).contains { ProcessTable.live.isAlive($0) } }
    #expect(gone, "left after the parent's SIGKILL: \(([pid, keeperPID] + children).filter { ProcessTable.live.isAlive($0) })")
    #expect(try await Self.waitFor(2) { !FileManager.default.fileExists(atPath: folder + "/svc.pid") }, "the pid file is removed")
  }

  @Test(.timeLimit(.minutes(1)), arguments: ["c", "swift"])
  func aStopSignalEndsTheGroupAndAMissingProgramIs127(kind: String) async throws {
    let marker = "keeper-stop-\(UUID().uuidString.prefix(8))"
    let keeper = Self.keeper(kind).map { "'" + $0 + "'" }.joined(separator: " ")
    // The keeper in the background; once its service runs, SIGTERM to the keeper; its status.
    let script = """
      \(keeper) -- /bin/bash -c 'exec -a \(marker) sleep 303' & k=$!
      for i in $(seq 200); do pgrep -f \(marker) >/dev/null && break; sleep 0.05; done
      kill -TERM $k; wait $k; echo "status=$?"
      """
    let (_, output) = try await runCommand("/bin/sh", ["-c", script])
    #expect(output.contains("status=\(128 + SIGTERM)"), "the service's own status, killed by the stop signal: \(output)")
    #expect(Self.processes(marker).isEmpty)
    let (missing, said) = try await runCommand(Self.keeper(kind)[0], Array(Self.keeper(kind).dropFirst()) + ["--", "/nowhere/program"])
    #expect(missing == 127 && said.contains("synapse-local keeper: cannot start /nowhere/program"), "\(said)")
  }
}
