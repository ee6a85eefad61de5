import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The probe's time limit on a real process: moved from the unit tests, which run on no real
/// program or file.
@Suite("nvidia-smi probe: a real hung process", .tags(.integration))
struct NvidiaSMIHangTests {
  /// A real hung `nvidia-smi` (a script that sleeps) is stopped at the time limit and reported.
  @Test(.timeLimit(.minutes(1))) func hungProbeIsStopped() async throws {
    let folder = NSTemporaryDirectory() + "nvidia-smi-hang-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    _ = FileManager.default.createFile(
      atPath: folder + "/nvidia-smi", contents: Data("#!/bin/sh\nexec sleep 600\n".utf8), attributes: [.posixPermissions: 0o755])
    let ctx = Context.testing(
      system: RootedFileSystem(root: folder), environment: ["PATH": folder], processes: SystemProcessRunner(), files: RootedFileSystem())
    let start = ContinuousClock.now
    let result = await NvidiaSMI.probe(ctx, timeout: .seconds(1))
    #expect(ContinuousClock.now - start < .seconds(10))
    #expect(result.gpus.isEmpty)
    #expect(result.warnings.first?.contains("did not finish within") == true)
  }
}
