import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The speed figures kept in the home: the newest per machine, engine and model, written under a
/// lock that a second writer waits for on the context's clock.
@Suite("speed records")
struct SpeedRecordsTests {
  static let home = "/home/u/.local/share/synapse-local"

  func measurement(_ model: String, generation: Double, machine: MachineFingerprint) -> SpeedMeasurement {
    SpeedMeasurement(
      machine: machine, engine: .llamaCpp, model: model, flags: ["-t", "4"], promptTokensPerSecond: 40,
      generationTokensPerSecond: generation, measuredAt: "2026-12-05T12:00:00Z", by: "bench")
  }

  @Test func theNewestFigurePerModelIsKept() async throws {
    let files = MemoryFileSystem(roots: [Self.home])
    let context = Context.testing(environment: ["SYNAPSE_LOCAL_HOME": Self.home], files: files)
    let records = SpeedRecords(context: context)
    let machine = MachineFingerprint(Machine.cpu(memoryGiB: 16))
    #expect(records.measurements(for: machine).isEmpty)
    try await records.record(measurement("a.gguf", generation: 5, machine: machine))
    try await records.record(measurement("b.gguf", generation: 7, machine: machine))
    try await records.record(measurement("a.gguf", generation: 6, machine: machine))
    let kept = records.measurements(for: machine).sorted { $0.model < $1.model }
    #expect(kept.map(\.model) == ["a.gguf", "b.gguf"] && kept.map(\.generationTokensPerSecond) == [6, 7])
    #expect(files.paths.contains(Self.home + "/speed/measurements.json"))
  }

  @Test(.timeLimit(.minutes(1)))
  func aWriterWaitsForTheLockOnTheClock() async throws {
    let files = MemoryFileSystem(roots: [Self.home])
    let clock = ManualClock()
    let context = Context.testing(environment: ["SYNAPSE_LOCAL_HOME": Self.home], files: files, time: clock)
    let records = SpeedRecords(context: context)
    let machine = MachineFingerprint(Machine.cpu(memoryGiB: 16))
    let held = try #require(try files.tryLock(Self.home + "/speed/.lock"))
    let writing = Task { try await records.record(measurement("a.gguf", generation: 5, machine: machine)) }
    for _ in 0..<2000 where clock.sleeping == 0 { try await Task.sleep(for: .milliseconds(1)) }
    #expect(clock.sleeping == 1 && records.measurements(for: machine).isEmpty)
    held.release()
    clock.advance(by: 1)
    try await writing.value
    #expect(records.measurements(for: machine).map(\.model) == ["a.gguf"])
  }
}
