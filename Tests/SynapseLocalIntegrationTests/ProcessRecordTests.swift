import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// Pid files name a process by pid and start time, so a later `up` stops the process a file was
/// written for and never one that reused its pid.
@Suite("pid files", .tags(.integration))
struct ProcessRecordTests {
  @Test(.timeLimit(.minutes(1)))
  func aPidFileNamesOnlyTheProcessItWasWrittenFor() async throws {
    let sleeper = try TestProcess("/bin/sleep", ["30"])
    var pid: pid_t?
    for _ in 0..<50 where pid == nil {
      try await Task.sleep(for: .milliseconds(20))
      pid = sleeper.processIdentifier
    }
    let running = try #require(pid)
    let start = try #require(ProcessRecord.startTime(running, table: .live))
    let file = NSTemporaryDirectory() + "record-\(UUID().uuidString).pid"
    defer { unlink(file) }

    try "\(running) \(start)\n".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(ProcessRecord.live(file, files: RootedFileSystem(), table: .live) == running)
    // Same pid, another start time: someone else now; not to be touched.
    try "\(running) \(start + 1)\n".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(ProcessRecord.live(file, files: RootedFileSystem(), table: .live) == nil)
    try "not a pid\n".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(ProcessRecord.live(file, files: RootedFileSystem(), table: .live) == nil)
    #expect(ProcessRecord.live(file + ".missing", files: RootedFileSystem(), table: .live) == nil)

    await sleeper.stop()
    try "\(running) \(start)\n".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(ProcessRecord.live(file, files: RootedFileSystem(), table: .live) == nil)
  }
}
