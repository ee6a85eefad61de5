import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `doctor` checks that a GPU plan's llama.cpp uses the GPU: the build's `--list-devices`, and
/// the offload line of the engine's log after `up`.
extension DoctorFileChecksTests {
  static let rtx4090 = Machine.cpu(
    memoryGiB: 32, gpus: [Machine.gpu("NVIDIA GeForce RTX 4090", totalMiB: 24564, capability: "8.9")], cuda: "12.4")

  /// A llama-server whose `--list-devices` prints `devices` (stdout) and `log` (stderr), and whose
  /// `--version` prints a CPU build's banner.
  func listingEngine(_ folder: DoctorChecksTests.Folder, devices: String, log: String = "") throws -> String {
    let script = """
      #!/bin/sh
      case "$1" in
        --list-devices) printf '%s' '\(devices)'; printf '%s' '\(log)' >&2 ;;
        *) echo 'version: 11541 (0c6ebd6) built with cc for x86_64-linux-gnu' ;;
      esac

      """
    try folder.write(script, "bin/llama-server", mode: 0o755)
    return folder.path + "/bin/llama-server"
  }

  func engineBinary(_ folder: DoctorChecksTests.Folder, _ engine: String, layers: Int = 99) async throws -> DoctorFinding {
    await EngineBinaryCheck().run(
      try subject(
        folder, environment: ["SYNAPSE_LOCAL_LLAMA_SERVER": engine], configure: { $0.llm.gpuLayers = layers }, hardware: Self.rtx4090))
  }

  @Test func aBuildListingNoGPUGivenNGL99Fails() async throws {
    let folder = DoctorChecksTests.Folder()
    let cpuOnly = try listingEngine(folder, devices: "Available devices:\n")
    let finding = try await engineBinary(folder, cpuOnly)
    #expect(finding.status == .failure, "\(finding.message)")
    #expect(finding.message.contains("CPU-only") && finding.message.contains("lists no GPU (none)") && finding.message.contains("99"))
    #expect(finding.fix?.contains("--variant cuda-12.8|cuda-13.4|rocm|vulkan --force") == true)
    #expect(finding.fix?.contains("llm.gpu_layers: 0") == true)
    // A CPU-side accelerator is not a GPU.
    let blas = try listingEngine(folder, devices: "Available devices:\n  BLAS: OpenBLAS (0 MiB, 0 MiB free)\n")
    #expect(try await engineBinary(folder, blas).status == .failure)
    // With no layers offloaded, the device list is not asked for.
    #expect(try await engineBinary(folder, cpuOnly, layers: 0).status == .ok)
  }

  @Test func aBuildListingAGPUPasses() async throws {
    let folder = DoctorChecksTests.Folder()
    for device in [
      "CUDA0: NVIDIA GeForce RTX 4090 (24564 MiB, 23000 MiB free)", "ROCm0: AMD Radeon RX 7900 XTX (24560 MiB, 24000 MiB free)",
      "Vulkan0: AMD Radeon RX 7900 XTX (RADV NAVI31) (24560 MiB, 24000 MiB free)", "Metal: Apple M2 Max (49152 MiB, 49152 MiB free)",
    ] {
      let engine = try listingEngine(folder, devices: "Available devices:\n  \(device)\n", log: "ggml_cuda_init: found 1 CUDA devices:\n")
      let finding = try await engineBinary(folder, engine)
      #expect(finding.status == .ok, "\(device): \(finding.message)")
      #expect(finding.message.contains(String(device.prefix { $0 != ":" })))
    }
  }

  @Test func aCUDABuildWhoseLibrariesDoNotLoadFailsWithTheCause() async throws {
    let folder = DoctorChecksTests.Folder()
    let noCudart = try listingEngine(
      folder, devices: "Available devices:\n",
      log: "load_backend: failed to load libggml-cuda.so: libcudart.so.12: cannot open shared object file: No such file or directory\n")
    let missing = try await engineBinary(folder, noCudart)
    #expect(missing.status == .failure && missing.message.contains("cannot use CUDA") && missing.message.contains("libcudart.so.12"))
    #expect(missing.fix?.contains("cudart") == true)
    let oldDriver = try listingEngine(
      folder, devices: "Available devices:\n",
      log: "ggml_cuda_init: failed to initialize CUDA: CUDA driver version is insufficient for CUDA runtime version\n")
    let old = try await engineBinary(folder, oldDriver)
    #expect(old.status == .failure && old.message.contains("driver version is insufficient"))
    #expect(old.fix?.contains("update the NVIDIA driver") == true)
  }

  @Test func parsingTheDeviceList() {
    let list = LlamaDeviceList.parse(
      stdout:
        "Available devices:\n  CUDA0: NVIDIA GeForce RTX 4090 (24564 MiB, 23000 MiB free)\n  CUDA1: NVIDIA A100 (81920 MiB, 80000 MiB free)\n",
      stderr: "ggml_cuda_init: GGML_CUDA_FORCE_MMQ:    no\nggml_cuda_init: found 2 CUDA devices:\n")
    #expect(list?.gpus.map(\.name) == ["CUDA0", "CUDA1"])
    #expect(list?.gpus.first?.description == "NVIDIA GeForce RTX 4090 (24564 MiB, 23000 MiB free)")
    #expect(list?.cudaFailure == nil)
    // A build from before --list-devices answers with its usage or its banner: not a list.
    #expect(LlamaDeviceList.parse(stdout: "version: 4000 (abc)\n", stderr: "error: invalid argument: --list-devices\n") == nil)
  }

  @Test func anEngineLogWithNoLayersOffloadedFails() async throws {
    let folder = DoctorChecksTests.Folder()
    let subject = try subject(folder, configure: { $0.llm.gpuLayers = 99 }, hardware: Self.rtx4090)
    #expect(await GPUOffloadCheck().run(subject).status == .skipped)
    let log = try String(contentsOfFile: Fixtures.root + "/logs/llama-server-cpu-only-ngl99.log", encoding: .utf8)
    try folder.write(log, String(subject.logFolder.dropFirst(folder.path.count + 1)) + "/llm.log")
    let failing = await GPUOffloadCheck().run(subject)
    #expect(failing.status == .failure, "\(failing.message)")
    #expect(failing.message.contains("offloaded 0/31 layers") && failing.message.contains("99"))
    #expect(failing.fix?.contains("--variant") == true)
    // A later start that offloaded every layer is what counts.
    try folder.write(
      log + "load_tensors: offloaded 31/31 layers to GPU\n", String(subject.logFolder.dropFirst(folder.path.count + 1)) + "/llm.log")
    let fine = await GPUOffloadCheck().run(subject)
    #expect(fine.status == .ok && fine.message.contains("31/31"))
    // A CPU plan is not checked.
    #expect(await GPUOffloadCheck().run(try self.subject(folder, configure: { $0.llm.gpuLayers = 0 })).status == .skipped)
  }
}
