import Foundation
import SynapseLocalSystem
import Testing

@testable import SynapseLocalCore

/// Files the supervisor reads and writes without the context's file system (its load times and
/// log files): on the real disk, so moved here from the unit tests, which touch none.
@Suite("supervisor files on disk", .tags(.integration))
struct SupervisorDiskFileTests {
  @Test func theExpectedLoadIsTheLastMeasuredOneElseAnEstimateFromTheSize() throws {
    let folder = NSTemporaryDirectory() + "loadtimes-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let model = folder + "/model.gguf"
    try Data(count: 3_000_000).write(to: URL(fileURLWithPath: model))
    let file = LoadTimes.fileName(state: folder)
    #expect(LoadTimes.size(of: model) == 3_000_000 && LoadTimes.size(of: folder) == 3_000_000 && LoadTimes.size(of: folder + "/none") == 0)
    let estimated = LoadTimes.expected(file: file, modelPath: model, bytes: LoadTimes.size(of: model), engine: .llamaCpp, role: .llm)
    #expect(!estimated.measured && estimated.seconds > 1 && estimated.seconds < 1.01)
    #expect(
      LoadTimes.expected(file: file, modelPath: folder, bytes: LoadTimes.size(of: folder), engine: .llamaCpp, role: .embedding).seconds > 8)
    LoadTimes.record(file: file, model: model, seconds: 41.26)
    #expect(
      LoadTimes.expected(file: file, modelPath: model, bytes: LoadTimes.size(of: model), engine: .llamaCpp, role: .llm) == (41.3, true))
    #expect(try String(contentsOfFile: file, encoding: .utf8).contains("41.3"))
  }

  /// An earlier run's lines ("all services healthy", "stopped") are never shown again.
  @Test func onlyWhatThisStartAppendedIsRead() throws {
    let path = NSTemporaryDirectory() + "supervisor-\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try "synapse-local: all services healthy\nsynapse-local: stopped\n".write(toFile: path, atomically: true, encoding: .utf8)
    let offset = LogFiles.size(path)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("synapse-local: error: db's port 5432 is already in use\n".utf8))
    try handle.close()
    #expect(LogFiles.appended(path, since: offset) == "synapse-local: error: db's port 5432 is already in use\n")
    // Rotated (truncated) since: everything there is this run's.
    try "synapse-local: error: x\n".write(toFile: path, atomically: true, encoding: .utf8)
    #expect(LogFiles.appended(path, since: offset) == "synapse-local: error: x\n")
  }
}
