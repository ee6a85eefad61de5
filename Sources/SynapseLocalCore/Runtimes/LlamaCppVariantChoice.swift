import Foundation
import SynapseLocalSystem

/// Which llama.cpp build `install` takes when no `--variant` is given, from the machine: the
/// newest CUDA line the NVIDIA driver runs and whose kernels cover every GPU, else the Vulkan build
/// where a GPU and a Vulkan loader are present, else the CPU build; ROCm for an AMD GPU; Metal on
/// Apple Silicon. The rules' numbers live in engines.yaml beside each asset (`min_driver`,
/// `min_compute`, `max_compute`), so a new release changes data, not code.
public struct LlamaCppVariantChoice: Codable, Sendable, Equatable {
  public var variant: String
  /// One line: what was seen, and why this build.
  public var reason: String

  /// What the choice needs to know beyond `detect`'s report (which has the NVIDIA and AMD GPUs).
  public struct Devices: Sendable, Equatable {
    /// A GPU render node and a Vulkan loader: llama.cpp's Vulkan build would find a device.
    public var vulkan = false

    public init(vulkan: Bool = false) {
      self.vulkan = vulkan
    }

    /// Read through the context's file system (a fixture machine's sysroot in tests).
    public static func read(_ system: any FileSystem) -> Devices {
      let render = (system.list("/dev/dri") ?? []).contains { $0.hasPrefix("renderD") }
      // The loader's name only: the library is never read.
      let loader = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"].contains {
        system.exists($0 + "/libvulkan.so.1")
      }
      return Devices(vulkan: render && loader)
    }
  }

  public init(variant: String, reason: String) {
    self.variant = variant
    self.reason = reason
  }

  public static func choose(releases: EngineReleases, platform: Platform, hardware: HardwareReport, devices: Devices)
    -> LlamaCppVariantChoice
  {
    let assets = releases.llamaCpp.assets[platform.rawValue] ?? [:]
    func first(_ gpu: String) -> String? { assets.filter { $0.value.gpu == gpu }.keys.sorted().first }
    let cpu = assets.keys.contains("cpu") ? "cpu" : releases.variants(for: platform).first ?? "cpu"
    if platform == .macosArm64, let metal = first("metal") {
      return .init(variant: metal, reason: "Apple Silicon: the Metal build (the GPU shares the machine's memory)")
    }
    let fallback = { (why: String) -> LlamaCppVariantChoice in
      if devices.vulkan, let vulkan = first("vulkan") {
        return .init(variant: vulkan, reason: why + "; a Vulkan device is present: the Vulkan build")
      }
      return .init(variant: cpu, reason: why + ": the CPU build")
    }
    if !hardware.nvidiaGPUs.isEmpty {
      return nvidia(assets: assets, gpus: hardware.nvidiaGPUs, fallback: fallback)
    }
    if hardware.gpus.contains(where: { $0.vendor == .amd }) {
      if let rocm = first("amd") {
        let names = hardware.gpus.filter { $0.vendor == .amd }.map(\.name)
        let what = Array(Set(names)).sorted().joined(separator: ", ")
        return .init(
          variant: rocm,
          reason: "\(what): the ROCm build"
            + (hardware.rocmVisible ? "" : " (ROCm's driver is not visible here: /dev/kfd is missing, so install amdgpu with ROCm)"))
      }
      return fallback("an AMD GPU, and no ROCm build for \(platform.rawValue)")
    }
    if devices.vulkan, let vulkan = first("vulkan") {
      return .init(variant: vulkan, reason: "a GPU with a Vulkan driver, neither NVIDIA nor AMD: the Vulkan build")
    }
    return .init(variant: cpu, reason: "no GPU: the CPU build")
  }

  /// The build for a machine `detect` described, from the profiles' engines.yaml; the devices
  /// beyond the report are read only on this machine (`thisMachine`), not for a hardware file's.
  /// Nil where engines.yaml or the platform is not known.
  public static func forMachine(_ context: Context, hardware: HardwareReport, thisMachine: Bool) -> LlamaCppVariantChoice? {
    guard let platform = Platform.of(os: hardware.os, arch: hardware.cpu.arch),
      let profiles = try? context.resources.locate(.profiles),
      let releases = try? EngineReleases.load(profiles + "/" + EngineReleases.fileName, files: context.files)
    else { return nil }
    return choose(releases: releases, platform: platform, hardware: hardware, devices: thisMachine ? .read(context.system) : .init())
  }

  /// The newest CUDA line the driver runs whose kernels cover every GPU.
  static func nvidia(
    assets: [String: EngineReleases.Asset], gpus: [GPUReport], fallback: (String) -> LlamaCppVariantChoice
  ) -> LlamaCppVariantChoice {
    let driverText = gpus.map(\.driverVersion).first ?? ""
    let driver = Int(driverText.split(separator: ".").first ?? "") ?? 0
    let names = Array(Set(gpus.map(\.name))).sorted().joined(separator: ", ")
    let seen = "\(names), driver \(driverText.isEmpty ? "unknown" : driverText)"
    let lines = assets.filter { $0.value.gpu == "nvidia" }.sorted { ($0.value.minDriver ?? 0, $0.key) > ($1.value.minDriver ?? 0, $1.key) }
    var passedOver: [String] = []
    for (variant, asset) in lines {
      if let minimum = asset.minDriver, driver < minimum {
        passedOver.append("\(variant) needs driver \(minimum) or newer")
        continue
      }
      if let minimum = asset.minCompute.flatMap(capability),
        let old = gpus.first(where: { (capability($0.computeCapability ?? "") ?? 99) < minimum })
      {
        passedOver.append(
          "\(variant) has no kernels for compute \(old.computeCapability ?? "?") (\(old.name)), below \(asset.minCompute ?? "")")
        continue
      }
      if let maximum = asset.maxCompute.flatMap(capability),
        let new = gpus.first(where: { (capability($0.computeCapability ?? "") ?? 0) > maximum })
      {
        passedOver.append(
          "\(variant) has no kernels for compute \(new.computeCapability ?? "?") (\(new.name)), above \(asset.maxCompute ?? "")")
        continue
      }
      let also = passedOver.isEmpty ? "" : " (passed over: \(passedOver.joined(separator: "; ")))"
      return .init(variant: variant, reason: "\(seen): the \(variant) build, with its CUDA runtime beside it\(also)")
    }
    let why =
      lines.isEmpty
      ? "\(seen), but this platform has no CUDA build"
      : "\(seen): no CUDA build fits (\(passedOver.joined(separator: "; "))); a driver of 580 or newer runs CUDA 13"
    return fallback(why)
  }

  /// "8.9" as 8.9; nil when it is not a number.
  static func capability(_ text: String) -> Double? { Double(text.trimmingCharacters(in: .whitespaces)) }
}
