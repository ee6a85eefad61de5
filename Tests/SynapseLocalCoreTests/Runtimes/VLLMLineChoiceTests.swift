import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The CUDA line `install vllm` takes, from engines.yaml's `vllm:` lines: PyPI's pinned CUDA 12.8
/// wheels on a driver that runs them (525.60.13 through minor-version compatibility) and a GPU they
/// carry kernels for; a refusal in one line otherwise (old driver, no NVIDIA GPU, a GPU too old); a
/// line only another index serves (arm64's CUDA torch) is shown but not pinned.
@Suite("vLLM CUDA line choice")
struct VLLMLineChoiceTests {
  static let profiles = Fixtures.share + "/profiles"
  /// The repository's profiles, in memory.
  let files: MemoryFileSystem
  let lines: VLLMLines

  init() throws {
    files = try Fixtures.shareFiles()
    lines = try VLLMLines.load(Self.profiles + "/engines.yaml", files: files)
  }

  func choose(_ gpus: [GPUReport], platform: Platform = .linuxX64) throws(RuntimeError) -> VLLMLineChoice {
    try VLLMLineChoice.choose(lines: lines, platform: platform, hardware: Machine.cpu(memoryGiB: 64, gpus: gpus))
  }

  /// The refusal's line, or a failure when the machine was not refused.
  func refusal(_ gpus: [GPUReport], platform: Platform = .linuxX64) -> String {
    do {
      let chosen = try choose(gpus, platform: platform)
      Issue.record("expected a refusal, got \(chosen.line): \(chosen.reason)")
      return ""
    } catch {
      guard case .vllmRefused(let reason) = error else {
        Issue.record("expected vllmRefused, got \(error)")
        return ""
      }
      #expect(!reason.contains("\n"))
      return reason
    }
  }

  static let rtx4090 = Machine.gpu("NVIDIA GeForce RTX 4090", totalMiB: 24564, capability: "8.9", driver: "550.54.14")

  @Test func driver550GetsThePinnedCUDA128Line() throws {
    let chosen = try choose([Self.rtx4090])
    #expect(chosen.line == "cu128" && chosen.cuda == "12.8" && chosen.pinned)
    #expect(chosen.requirements == "runtimes/vllm.txt" && chosen.index == nil)
    #expect(chosen.minDriver == "525.60.13" && chosen.nativeDriver == "570.26")
    #expect(chosen.reason.contains("RTX 4090") && chosen.reason.contains("minor-version compatibility"), "\(chosen.reason)")
    let native = try choose([Machine.gpu("NVIDIA GeForce RTX 5090", totalMiB: 32607, capability: "12.0", driver: "575.51.03")])
    #expect(native.line == "cu128" && native.reason.contains("natively"), "\(native.reason)")
    // The oldest driver of the line, exactly.
    #expect(try choose([Machine.gpu("NVIDIA A10", totalMiB: 23028, capability: "8.6", driver: "525.60.13")]).pinned)
  }

  @Test func anOldDriverIsRefusedWithTheDriverFoundAndNeeded() {
    let k80 = refusal([Machine.gpu("Tesla K80", totalMiB: 11441, capability: "3.7", driver: "470.82.01")])
    for phrase in ["470.82.01", "CUDA 11.4", "525.60.13", "570.26", "install a newer NVIDIA driver", "llama.cpp"] {
      #expect(k80.contains(phrase), "\(phrase): \(k80)")
    }
    // Just below the minimum: 525.60.11 is not 525.60.13.
    #expect(refusal([Machine.gpu("NVIDIA A10", totalMiB: 23028, capability: "8.6", driver: "525.60.11")]).contains("525.60.13"))
  }

  @Test func noNVIDIAGPUIsRefused() {
    #expect(refusal([]).hasPrefix("vLLM needs an NVIDIA GPU and none was detected"))
    let amd = GPUReport(
      index: 0, name: "AMD Instinct MI210", memoryTotalBytes: 64 << 30, memoryFreeBytes: 64 << 30, computeCapability: nil,
      computeCapabilitySource: nil, driverVersion: "", vendor: .amd)
    #expect(refusal([amd]).contains("an AMD GPU is not one"))
    #expect(refusal([Self.rtx4090], platform: .macosArm64).contains("not on macos-arm64"))
  }

  @Test func aGPUBelowTheWheelsKernelsIsRefused() {
    let pascal = refusal([Machine.gpu("NVIDIA GeForce GTX 1080 Ti", totalMiB: 11264, capability: "6.1", driver: "550.54.14")])
    #expect(pascal.contains("GTX 1080 Ti has compute capability 6.1") && pascal.contains("7.0, 7.5"), "\(pascal)")
    let unknown = refusal([Machine.gpu("NVIDIA Mystery", totalMiB: 8192, capability: nil, driver: "550.54.14")])
    #expect(unknown.contains("nvidia-smi reported none"), "\(unknown)")
    // Thor (11.0): no 11.x kernels in the CUDA 12.8 wheels.
    #expect(refusal([Machine.gpu("NVIDIA Thor", totalMiB: 131072, capability: "11.0", driver: "580.65.06")]).contains("11.0"))
  }

  /// An X.Z build runs on X.Y with Z ≤ Y: Ada (8.9) on 8.6's kernels, GB10 (12.1) on 12.0's; a
  /// GPU the line cannot run beside one it can is named as unused.
  @Test func kernelsCoverLaterMinorsOfTheirMajor() throws {
    #expect(try choose([Machine.gpu("NVIDIA GB10", totalMiB: 122_000, capability: "12.1", driver: "580.95.05")]).pinned)
    let mixed = try choose([
      Machine.gpu("NVIDIA A100-SXM4-80GB", totalMiB: 81920, capability: "8.0"),
      Machine.gpu("NVIDIA GeForce GTX 1080", totalMiB: 8192, capability: "6.1", index: 1),
    ])
    #expect(mixed.pinned && mixed.reason.contains("GTX 1080 not used"), "\(mixed.reason)")
  }

  /// linux-aarch64: PyPI's torch there is a CPU build, so the CUDA line comes from PyTorch's index,
  /// which nothing here pins; the choice names it, and `install` refuses it even with --force.
  @Test func arm64TakesALineFromAnotherIndexThatIsNotPinned() throws {
    let gh200 = [Machine.gpu("NVIDIA GH200 480GB", totalMiB: 97871, capability: "9.0", driver: "580.65.06")]
    let chosen = try choose(gh200, platform: .linuxArm64)
    #expect(!chosen.pinned && chosen.requirements == nil && chosen.index == "https://download.pytorch.org/whl/cu128")
    #expect(chosen.reason.contains("which no file here pins") && chosen.reason.contains("SYNAPSE_LOCAL_VLLM"), "\(chosen.reason)")
    let installer = RuntimeInstaller(context: Context.testing(files: files))
    let hardware = Machine.cpu(memoryGiB: 64, gpus: gh200)
    #expect(throws: RuntimeError.self) {
      try installer.vllmLine(profiles: Self.profiles, platform: .linuxArm64, hardware: hardware, force: true)
    }
  }

  /// `install vllm`: the refusal comes before pip, with the way round it; `--force` takes the
  /// pinned line anyway.
  @Test func installRefusesBeforePipUnlessForced() throws {
    let installer = RuntimeInstaller(context: Context.testing(files: files))
    let old = Machine.cpu(memoryGiB: 64, gpus: [Machine.gpu("Tesla T4", totalMiB: 15109, capability: "7.5", driver: "470.82.01")])
    do {
      _ = try installer.vllmLine(profiles: Self.profiles, platform: .linuxX64, hardware: old, force: false)
      Issue.record("a 470 driver was not refused")
    } catch {
      #expect("\(error)".contains("470.82.01") && "\(error)".contains("--force installs the pinned wheels anyway"), "\(error)")
    }
    let forced = try installer.vllmLine(profiles: Self.profiles, platform: .linuxX64, hardware: old, force: true)
    #expect(forced.requirements == "runtimes/vllm.txt" && forced.reason.contains("--force"))
    let fine = try installer.vllmLine(
      profiles: Self.profiles, platform: .linuxX64, hardware: Machine.cpu(memoryGiB: 64, gpus: [Self.rtx4090]), force: false)
    #expect(fine.requirements == "runtimes/vllm.txt" && fine.reason.hasPrefix("vLLM cu128: "))
  }

  /// The data agrees with the requirement file it names: the pinned line's CUDA is the CUDA
  /// runtime wheel the file pins for torch, and every pinned file exists.
  @Test func thePinnedLineMatchesItsRequirementFile() throws {
    for line in lines.lines where line.pinned {
      let requirements = try RequirementSet.load(.vllm, profiles: Self.profiles, file: line.requirements, files: files)
      let runtime = requirements.requirements.first { RequirementSet.name(of: $0) == "nvidia-cuda-runtime-cu12" }
      #expect(runtime?.contains("==\(line.cuda).") == true, "\(line.name): \(runtime ?? "no CUDA runtime pinned")")
      #expect(requirements.requirements.contains { $0.hasPrefix("vllm==\(lines.version) ") })
    }
  }

  @Test func badLinesAreRefusedWhenTheFileIsRead() throws {
    let files = MemoryFileSystem(roots: ["/p"])
    func load(_ line: String) throws -> VLLMLines {
      try files.write(
        "llama.cpp: {repository: a/b, tag: b1, assets: {}}\nvllm:\n  version: 0.11.2\n  lines:\n    - {name: cu128, platform: linux-x86_64, cuda: \"12.8\", min_driver: \"525.60.13\"\(line)}\n",
        to: "/p/engines.yaml", permissions: 0o644)
      return try VLLMLines.load("/p/engines.yaml", files: files)
    }
    #expect(throws: RuntimeError.self) { try load("") }
    #expect(throws: RuntimeError.self) { try load(", requirements: ../../etc/passwd") }
    #expect(throws: RuntimeError.self) { try load(", index: https://x, compute: [seven]") }
    #expect(try load(", index: https://x").lines.first?.pinned == false)
    try files.write("llama.cpp: {repository: a/b, tag: b1, assets: {}}\n", to: "/p/engines.yaml", permissions: 0o644)
    #expect(try VLLMLines.load("/p/engines.yaml", files: files).lines.isEmpty)
  }

  /// `--json` has every key on every machine, `null` where a line has no value.
  @Test func theJSONHasEveryKey() throws {
    let json = String(decoding: try JSONDocument.encode(try choose([Self.rtx4090])), as: UTF8.self)
    for key in [
      "runtime", "version", "platform", "line", "cuda", "requirements", "index", "pinned", "min_driver", "native_driver", "reason",
    ] {
      #expect(json.contains("\"\(key)\" :"), "\(key)")
    }
    #expect(json.contains("\"index\" : null") && json.contains("\"pinned\" : true"))
  }
}
