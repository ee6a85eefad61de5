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
    let files = MemoryFileSystem(roots: ["/fake"])
    try files.createDirectory("/fake")
    if withBinary { try files.write(Data("#!/bin/sh\n".utf8), to: "/fake/nvidia-smi", permissions: 0o755) }
    return Context.testing(
      system: MemoryFileSystem(roots: ["/proc", "/sys"]), environment: ["PATH": "/fake"], processes: StubProcessRunner(answers),
      files: files)
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
}
