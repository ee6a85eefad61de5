import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The llama.cpp build `install` takes with no `--variant`, on each kind of machine, from
/// engines.yaml's b11541 table: the newest CUDA line the driver runs and whose kernels cover every
/// GPU, else Vulkan where a device is there, else the CPU; ROCm for AMD; Metal on a Mac.
@Suite("llama.cpp build choice")
struct LlamaCppVariantChoiceTests {
  let releases: EngineReleases

  init() throws {
    releases = try EngineReleases.load(Fixtures.share + "/profiles/engines.yaml", files: try Fixtures.shareFiles())
  }

  func choose(
    _ gpus: [GPUReport], platform: Platform = .linuxX64, devices: LlamaCppVariantChoice.Devices = .init()
  ) -> LlamaCppVariantChoice {
    LlamaCppVariantChoice.choose(
      releases: releases, platform: platform, hardware: Machine.cpu(memoryGiB: 64, gpus: gpus), devices: devices)
  }

  @Test func eachMachineGetsItsBuildWithTheReason() {
    #expect(choose([]).variant == "cpu" && choose([]).reason == "no GPU: the CPU build")
    let rtx4090 = choose([Machine.gpu("NVIDIA GeForce RTX 4090", totalMiB: 24564, capability: "8.9", driver: "550.54.14")])
    #expect(rtx4090.variant == "cuda-12.8" && rtx4090.reason.contains("cuda-13.4 needs driver 580"), "\(rtx4090.reason)")
    let rtx5090 = choose([Machine.gpu("NVIDIA GeForce RTX 5090", totalMiB: 32607, capability: "12.0", driver: "580.65.06")])
    #expect(rtx5090.variant == "cuda-13.4", "\(rtx5090.reason)")
    // Blackwell on a CUDA 12 driver: 12.8 carries no kernels for it, 13.4 needs a newer driver.
    let blackwellOldDriver = choose([Machine.gpu("NVIDIA GeForce RTX 5090", totalMiB: 32607, capability: "12.0", driver: "570.86.10")])
    #expect(blackwellOldDriver.variant == "cpu" && blackwellOldDriver.reason.contains("above 9.0"), "\(blackwellOldDriver.reason)")
    // Pascal on a new driver: CUDA 13 dropped it, 12.8 runs it.
    let pascal = choose([Machine.gpu("NVIDIA GeForce GTX 1080", totalMiB: 8192, capability: "6.1", driver: "580.65.06")])
    #expect(pascal.variant == "cuda-12.8" && pascal.reason.contains("below 7.5"), "\(pascal.reason)")
    // A K80 on driver 470: no CUDA line runs; Vulkan where the machine has it, else the CPU.
    let k80 = [Machine.gpu("Tesla K80", totalMiB: 11441, capability: "3.7", driver: "470.82.01")]
    #expect(choose(k80).variant == "cpu" && choose(k80).reason.contains("cuda-12.8 needs driver 525"))
    #expect(choose(k80, devices: .init(vulkan: true)).variant == "vulkan")
  }

  @Test func amdArmAndMacGetTheirBuilds() {
    let amd = [
      GPUReport(
        index: 0, name: "AMD Instinct MI210", memoryTotalBytes: 64 << 30, memoryFreeBytes: 64 << 30, computeCapability: nil,
        computeCapabilitySource: nil, driverVersion: "", vendor: .amd)
    ]
    #expect(choose(amd).variant == "rocm" && choose(amd).reason.hasPrefix("AMD Instinct MI210: the ROCm build"))
    // No ROCm build for arm64: Vulkan where there is a device, else the CPU.
    #expect(choose(amd, platform: .linuxArm64).variant == "cpu")
    #expect(choose(amd, platform: .linuxArm64, devices: .init(vulkan: true)).variant == "vulkan")
    let orin = choose([Machine.gpu("NVIDIA GH200", totalMiB: 97871, capability: "9.0", driver: "580.65.06")], platform: .linuxArm64)
    #expect(orin.variant == "cuda-13.4")
    #expect(choose([], platform: .macosArm64).variant == "metal")
    #expect(choose([], devices: .init(vulkan: true)).variant == "vulkan")
  }

  /// Every CUDA build names its companion, pinned like the build, and the plan carries both.
  @Test func aCUDAPlanCarriesItsCompanionArchive() throws {
    let chosen = choose([Machine.gpu("NVIDIA GeForce RTX 4090", totalMiB: 24564, capability: "8.9")])
    let plan = try LlamaCppPlan(releases: releases, platform: .linuxX64, choice: chosen)
    #expect(plan.asset.name == "llama-b11541-bin-ubuntu-cuda-12.8-x64.tar.gz")
    #expect(plan.companion?.name == "cudart-llama-b11541-bin-ubuntu-cuda-12.8-x64.tar.gz")
    #expect(plan.companion?.sha256 == "6c8acf749cb80a5932b8c5ba16476c3626ce72b09bcfe9078c27b1087ae39c4f")
    for (_, variants) in releases.llamaCpp.assets {
      for (variant, asset) in variants where asset.gpu == "nvidia" { #expect(asset.companion?.sha256 != nil, "\(variant)") }
    }
  }

  /// The device the choice reads beyond `detect`: a render node with a Vulkan loader.
  @Test func devicesAreReadFromSysfsAndDev() throws {
    let files = MemoryFileSystem(roots: ["/sys", "/dev", "/usr"])
    #expect(LlamaCppVariantChoice.Devices.read(files) == .init())
    try files.write("", to: "/dev/dri/renderD128", permissions: 0o666)
    #expect(LlamaCppVariantChoice.Devices.read(files) == .init(vulkan: false))
    try files.write("", to: "/usr/lib/x86_64-linux-gnu/libvulkan.so.1", permissions: 0o644)
    #expect(LlamaCppVariantChoice.Devices.read(files) == .init(vulkan: true))
  }
}

/// A CUDA build's companion (`cudart-…`) is unpacked flat beside llama-server, where its loader
/// looks, and may not replace a file of the build.
@Suite("companion archive")
struct CompanionArchiveTests {
  /// A `cudart-…` archive as `tar -czf cudart.tar.gz cuda libcublas.so.12` makes it, printed in base64.
  static let maker = #"""
    import base64, io, tarfile
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as t:
        folder = tarfile.TarInfo("cuda"); folder.type = tarfile.DIRTYPE; folder.mode = 0o755; t.addfile(folder)
        for name in ["cuda/libcudart.so.12", "libcublas.so.12"]:
            info = tarfile.TarInfo(name); info.size = 3; info.mode = 0o644; t.addfile(info, io.BytesIO(b"lib"))
    print(base64.b64encode(out.getvalue()).decode())
    """#

  @Test func theCompanionsLibrariesLandBesideTheServerAndReplaceNothing() async throws {
    let root = "/companion"
    let files = MemoryFileSystem(roots: [root])
    let (status, output) = try await runCommand("/usr/bin/env", ["python3", "-c", Self.maker])
    try #require(status == 0, "python3 could not make the archive: \(output)")
    let archive = root + "/cudart.tar.gz"
    let bytes = try #require(Data(base64Encoded: output.trimmingCharacters(in: .whitespacesAndNewlines)))
    try files.write(bytes, to: archive, permissions: 0o644)
    let server = root + "/tree/llama-b11541"
    try files.createDirectory(server)
    try LlamaCppInstaller.unpack(archive, files: files, beside: server, staging: root + "/staging")
    #expect(files.exists(server + "/libcudart.so.12"))
    #expect(files.exists(server + "/libcublas.so.12"))
    // Again, into a folder that has those names now: refused.
    #expect(throws: ArchiveError.self) {
      try LlamaCppInstaller.unpack(archive, files: files, beside: server, staging: root + "/staging2")
    }
  }
}
