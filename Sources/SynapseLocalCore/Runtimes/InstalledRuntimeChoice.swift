import Foundation
import SynapseLocalSystem

/// Which installed runtime `up` may use when neither a variable, a key nor the lock chose one: the
/// newest installed for this platform that suits the plan. For llama.cpp, the highest `bNNNN`
/// whose variant fits (a CPU or Metal build always does; a GPU build only where the plan offloads
/// layers and the machine has that GPU), and at the same build a GPU one for a GPU plan. For a
/// Python runtime, one built from the requirement set the profiles pin now (an older set does not
/// suit: the lock would then pin what `install` refuses). A system PostgreSQL recorded by
/// `install` is left to the PATH step, which checks it again.
struct InstalledRuntimeChoice: Sendable {
  var installed: [RuntimeManifest]
  var platform: Platform
  /// The current requirement set's version of a Python runtime, read only when one is installed;
  /// nil (the profiles unreadable): none suits.
  var requirementVersion: @Sendable (RuntimeID) -> String?

  /// Only a runtime in the folder its manifest names (`<version>-<variant>-<platform>`): the pin
  /// `up` then writes must lead the lock's step back to the same folder.
  init(inventory: RuntimeInventory, platform: Platform, requirementVersion: @escaping @Sendable (RuntimeID) -> String?) {
    let placed = inventory.list(measure: false).filter {
      let m = $0.manifest
      return PathSafety.isName(m.version) && PathSafety.isName(m.variant)
        && $0.folder == inventory.home.folder(m.id, version: m.version, variant: m.variant, platform: m.platform)
    }
    self.init(installed: placed.map(\.manifest), platform: platform, requirementVersion: requirementVersion)
  }

  init(installed: [RuntimeManifest], platform: Platform, requirementVersion: @escaping @Sendable (RuntimeID) -> String?) {
    self.installed = installed
    self.platform = platform
    self.requirementVersion = requirementVersion
  }

  /// The runtime to use for `id`, or nil. `gpuKinds` is asked only when a GPU build could suit:
  /// the GPU kinds this machine has (`cuda`, `rocm`, `vulkan`).
  func choose(_ id: RuntimeID, gpuLayers: Int, gpuKinds: () async -> Set<String>) async -> RuntimeManifest? {
    let candidates = installed.filter { $0.id == id && $0.platform == platform && $0.source != RuntimeManifest.systemSource }
    switch id {
    case .llamaCpp:
      var suiting = candidates.filter { Self.gpuKind(of: $0.variant) == nil }
      let gpu = candidates.filter { Self.gpuKind(of: $0.variant) != nil }
      // A GPU plan on a machine with a GPU takes only a build for that GPU: a CPU build would leave
      // it unused (then `up` installs the GPU build the machine needs). Without a GPU here, the
      // plan cannot offload anyway, and the CPU build suits.
      if gpuLayers > 0 {
        let kinds = await gpuKinds()
        if !kinds.isEmpty {
          suiting = suiting.filter { $0.variant == "metal" } + gpu.filter { Self.gpuKind(of: $0.variant).map(kinds.contains) ?? false }
        }
      }
      return suiting.max { Self.rank($0, gpuPlan: gpuLayers > 0) < Self.rank($1, gpuPlan: gpuLayers > 0) }
    case .embedding, .vllm, .postgresql:
      guard !candidates.isEmpty, let current = requirementVersion(id) else { return nil }
      return candidates.filter { $0.version == current }.max { $0.installed < $1.installed }
    }
  }

  /// The GPU a llama.cpp variant needs (`cuda-13.4` needs `cuda`), or nil for one that runs
  /// anywhere on its platform (`cpu`, and `metal`, the only macOS build).
  static func gpuKind(of variant: String) -> String? {
    if variant == "cpu" || variant == "metal" { return nil }
    if variant.hasPrefix("cuda") { return "cuda" }
    if variant.hasPrefix("rocm") || variant.hasPrefix("hip") { return "rocm" }
    if variant.hasPrefix("vulkan") { return "vulkan" }
    return variant
  }

  /// The build number of a `bNNNN` tag (0 for another tag), then a GPU build for a GPU plan, then
  /// the later install.
  static func rank(_ manifest: RuntimeManifest, gpuPlan: Bool) -> (Int, Int, String) {
    let build = manifest.version.hasPrefix("b") ? Int(manifest.version.dropFirst()) ?? 0 : 0
    let gpu = gpuPlan && gpuKind(of: manifest.variant) != nil ? 1 : 0
    return (build, gpu, manifest.installed)
  }

  /// The GPU kinds a machine has, as llama.cpp's builds need them: an NVIDIA GPU llama.cpp can use
  /// runs the CUDA and the Vulkan builds.
  static func gpuKinds(_ hardware: HardwareReport) -> Set<String> {
    var kinds: Set<String> = []
    if !EnginePlanner(hardware: hardware, ramBudget: 0).llamaCppGPUs.isEmpty { kinds.formUnion(["cuda", "vulkan"]) }
    if hardware.gpus.contains(where: { $0.vendor == .amd }) { kinds.formUnion(["rocm", "vulkan"]) }
    return kinds
  }
}
