import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// What a failed `up -d` shows when its supervisor ended without a word: this start's lines only,
/// the reason first, each line with one label.
@Suite("a failed start's output")
struct StartFailureTests {
  @Test func theReasonComesFirstAndEachLineKeepsItsOneLabel() {
    let log = """
      synapse-local: PostgreSQL runs as 'nobody' (it refuses to run as root), which owns /p/.synapse-local/pg/db
      synapse-local: warning: expose_models: the llm and embedding endpoints listen on every interface
      synapse-local: error: llm keeps exiting and was marked failed. Last lines of its log:
      synapse-local: error: error: unknown argument: --bogus
      """
    let message = StackLauncher.endedBeforeReady(log, status: 1 << 8, log: "/p/logs/supervisor.log")
    let lines = message.split(separator: "\n")
    #expect(lines.first == "llm keeps exiting and was marked failed. Last lines of its log:")
    #expect(lines[1] == "synapse-local: what it wrote to /p/logs/supervisor.log in this start:")
    #expect(lines.dropFirst(2).allSatisfy { $0.hasPrefix("synapse-local: ") && !$0.dropFirst(15).contains("synapse-local: ") })
    #expect(lines.last == "synapse-local: error: error: unknown argument: --bogus")
    #expect(lines.count == 5)
  }

  @Test func withoutAnErrorLineHowItEndedIsTheReason() {
    #expect(
      StackLauncher.endedBeforeReady("", status: 9, log: "/l") == "the supervisor was killed by signal 9 before every service was healthy")
    #expect(
      StackLauncher.endedBeforeReady("", status: 3 << 8, log: "/l")
        == "the supervisor exited with status 3 before every service was healthy")
    let crash = StackLauncher.endedBeforeReady("Fatal error: boom\n", status: nil, log: "/l")
    #expect(crash.hasPrefix("the supervisor ended before every service was healthy\n") && crash.hasSuffix("\nFatal error: boom"))
  }

  /// An earlier run's lines ("all services healthy", "stopped") are never shown again.
  @Test func onlyWhatThisStartAppendedIsRead() throws {
    let path = "/state/logs/supervisor.log"
    let files = MemoryFileSystem(roots: ["/state"])
    try files.write("synapse-local: all services healthy\nsynapse-local: stopped\n", to: path)
    let offset = LogFiles.size(path, files: files)
    let log = try files.open(path, .update)
    try log.seek(to: try log.length())
    try log.write(Data("synapse-local: error: db's port 5432 is already in use\n".utf8))
    log.close()
    #expect(LogFiles.appended(path, since: offset, files: files) == "synapse-local: error: db's port 5432 is already in use\n")
    // Rotated (truncated) since: everything there is this run's.
    try files.write("synapse-local: error: x\n", to: path)
    #expect(LogFiles.appended(path, since: offset, files: files) == "synapse-local: error: x\n")
  }

  /// Issue 35, defect 8: `status` of a stopped stack never shows the failure of a start older than
  /// the last one that succeeded, in whichever order they ended (two `up -d` at once, the loser
  /// writing after the winner cleared), and a good start clears what came before it.
  @Test func aFailureOlderThanTheLastGoodStartIsNeverShown() {
    let files = MemoryFileSystem(roots: ["/p"])
    let run = "/p/.synapse-local/run"
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    LastStartFailure.record("cannot listen on 127.0.0.1:39090: address in use", startedAt: t0, runFolder: run, files: files)
    #expect(LastStartFailure.read(runFolder: run, files: files) == "cannot listen on 127.0.0.1:39090: address in use")
    // A later start succeeds: nothing to show.
    LastStartFailure.clear(startedAt: t0 + 60, runFolder: run, files: files)
    #expect(LastStartFailure.read(runFolder: run, files: files) == nil)
    // A start begun before that good one fails after it (it lost the race for the ports).
    LastStartFailure.record("cannot listen on 127.0.0.1:39090: address in use", startedAt: t0 + 59, runFolder: run, files: files)
    #expect(LastStartFailure.read(runFolder: run, files: files) == nil)
    // A start begun after it fails: that is the last start, and it failed.
    LastStartFailure.record("llm keeps exiting", startedAt: t0 + 120, runFolder: run, files: files)
    #expect(LastStartFailure.read(runFolder: run, files: files) == "llm keeps exiting")
    // A record of an earlier version (no time) is older than any good start on record.
    try? files.write("db's port 5432 is already in use", to: LastStartFailure.path(runFolder: run))
    #expect(LastStartFailure.read(runFolder: run, files: files) == nil)
    try? files.remove(LastStartFailure.startedPath(runFolder: run))
    #expect(LastStartFailure.read(runFolder: run, files: files) == "db's port 5432 is already in use")
  }
}
