import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@Suite("nvidia-smi probe")
struct NvidiaSMITests {
  let query = "/fake/nvidia-smi --query-gpu=index,name,memory.total,memory.free,compute_cap,driver_version --format=csv,noheader,nounits"

  func context(_ answers: [String: ProcessResult], withBinary: Bool = true) throws -> Context {
    // The binary must exist on PATH for the probe to run; a stub answers for it.
    let folder = NSTemporaryDirectory() + "nvidia-smi-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    if withBinary {
      _ = FileManager.default.createFile(
        atPath: folder + "/nvidia-smi", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
    }
    var mapped: [String: ProcessResult] = [:]
    for (key, value) in answers { mapped[key.replacingOccurrences(of: "/fake", with: folder)] = value }
    return Context.testing(
      system: RootedFileSystem(root: folder), environment: ["PATH": folder], processes: StubProcessRunner(mapped), files: RootedFileSystem()
    )
  }

  @Test func noBinaryMeansNoGPUAndNoWarning() async throws {
    let result = await NvidiaSMI.probe(try context([:], withBinary: false))
    #expect(result.gpus.isEmpty && result.warnings.isEmpty && result.cudaVersion == nil)
  }

  @Test func bannerWithoutCUDAFallsBackToTheDriverTable() async throws {
    let ctx = try context([
      query: ProcessResult(status: 0, stdout: "0, NVIDIA L4, 23034, 22000, 8.9, 535.104.05\n", stderr: ""),
      "/fake/nvidia-smi": ProcessResult(status: 0, stdout: "no banner here\n", stderr: ""),
    ])
    let result = await NvidiaSMI.probe(ctx)
    #expect(result.gpus.first?.computeCapability == "8.9")
    #expect(result.cudaVersion == "12.2")  // 535.104 ≥ 535.54.03 (CUDA 12.2), < 545.23.06 (12.3)
  }

  @Test func unreadableFieldsAreWarnedNotFatal() async throws {
    let ctx = try context([
      query: ProcessResult(status: 0, stdout: "0, NVIDIA GH200 480GB, [N/A], [N/A], 9.0, 550.54.14\ngarbage line\n", stderr: ""),
      "/fake/nvidia-smi": ProcessResult(status: 0, stdout: "| CUDA Version: 12.4 |", stderr: ""),
    ])
    let result = await NvidiaSMI.probe(ctx)
    #expect(result.gpus.count == 1)
    #expect(result.gpus.first?.memoryTotalBytes == 0)
    #expect(result.warnings.count == 2)
    #expect(result.cudaVersion == "12.4")
  }

  /// Unknown free memory is planned as none free, with a warning, never as "all free".
  @Test func unknownFreeMemoryCountsAsNone() async throws {
    let ctx = try context([
      query: ProcessResult(
        status: 0,
        stdout:
          "0, NVIDIA A100-SXM4-80GB, 81920, [N/A], 8.0, 535.104.05\n1, NVIDIA A100-SXM4-80GB, 18446744073709551615, 1, 8.0, 535.104.05\n",
        stderr: ""),
      "/fake/nvidia-smi": ProcessResult(status: 0, stdout: "CUDA Version: 12.2", stderr: ""),
    ])
    let result = await NvidiaSMI.probe(ctx)
    #expect(result.gpus.map(\.memoryFreeBytes) == [0, 1_048_576])
    #expect(result.gpus[1].memoryTotalBytes == 0)
    #expect(result.warnings.contains { $0.contains("free memory") })
  }

  @Test func commaInANameIsKept() async throws {
    let ctx = try context([
      query: ProcessResult(status: 0, stdout: "0, NVIDIA RTX A6000, Ada, 49140, 49000, 8.9, 550.54.14\n", stderr: ""),
      "/fake/nvidia-smi": ProcessResult(status: 0, stdout: "CUDA Version: 12.4", stderr: ""),
    ])
    let result = await NvidiaSMI.probe(ctx)
    #expect(result.gpus.first?.name == "NVIDIA RTX A6000, Ada")
    #expect(result.gpus.first?.memoryTotalBytes == 49140 * 1_048_576)
  }

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
