import Foundation
import SynapseLocalSystem

/// Fits one chat model to the hardware on one engine: the largest standard context that fits, and
/// the flags that go with it. Nil means it does not fit.
struct EnginePlanner {
  struct Plan {
    var engine: Engine
    var estimate: MemoryEstimate
    var llamaServer: Recommendation.LlamaServerFlags?
    var vllm: Recommendation.VLLMFlags?
    /// The whole model runs on GPUs (vLLM, or llama.cpp with every layer offloaded).
    var wholeOnGPU: Bool = true
  }

  var hardware: HardwareReport
  /// RAM left for the chat model after the other services and the margin.
  var ramBudget: UInt64

  /// VRAM kept free on each GPU for the driver and other processes.
  static let gpuReserve: UInt64 = 512 * ByteCount.mebibyte
  static let vllmMinimumCapability = "7.0"
  /// CUDA 12.0 (driver 525.60.13): PyPI's vLLM wheels (CUDA 12.8) run on it through CUDA's
  /// minor-version compatibility, the same minimum `install vllm` checks (engines.yaml's vllm lines).
  static let vllmMinimumCUDA = "12.0"
  static let llamaCppMinimumCapability = "5.0"
  /// llama-server's process and host-side buffers, even with every layer on the GPU.
  static let llamaCppMinimumHostMemory: UInt64 = 512 * ByteCount.mebibyte
  /// vLLM's process (about 2 GiB) plus its default 4 GiB of CPU swap space per GPU.
  static func vllmHostMemory(gpus: Int) -> UInt64 { (2 + 4 * UInt64(gpus)) * ByteCount.gibibyte }
  /// Below this share of a GPU's memory, vLLM is not worth starting there.
  static let vllmMinimumUtilization = 0.3
  /// vLLM's own default; lower when other processes hold part of the GPU.
  static let vllmMaximumUtilization = 0.90

  /// GPUs llama.cpp can offload to: NVIDIA ones with a known compute capability of at least 5.0
  /// (CUDA 12 dropped Kepler); an unknown one is not guessed at. AMD GPUs are not planned for: the
  /// build that offloads to them (ROCm, Vulkan) is not what a plan can count on (docs/DECISIONS.md).
  var llamaCppGPUs: [GPUReport] {
    hardware.nvidiaGPUs.filter { $0.computeCapability.map { CUDADriverSupport.isAtLeast($0, Self.llamaCppMinimumCapability) } ?? false }
  }

  var gpuBudget: UInt64 {
    llamaCppGPUs.reduce(0) { $0 + ($1.memoryFreeBytes > Self.gpuReserve ? $1.memoryFreeBytes - Self.gpuReserve : 0) }
  }

  /// Why vLLM cannot run here at all, or nil when some GPU qualifies.
  var vllmIneligibility: String? {
    if hardware.os != "linux" { return "vLLM needs Linux" }
    // The one pinned vLLM line is PyPI's x86_64 wheels; PyPI's aarch64 torch has no CUDA
    // (engines.yaml's vllm lines, `install vllm --plan`).
    if !["x86_64", "amd64"].contains(hardware.cpu.arch) {
      return
        "vLLM's pinned wheels are for linux-x86_64; on \(hardware.cpu.arch) PyPI's torch has no CUDA (see `synapse-local install vllm --plan`)"
    }
    if hardware.nvidiaGPUs.isEmpty {
      return hardware.gpus.isEmpty ? "no NVIDIA GPU was detected" : "no NVIDIA GPU was detected (vLLM needs CUDA; AMD GPUs are not used)"
    }
    guard let cuda = hardware.cudaVersion, CUDADriverSupport.isAtLeast(cuda, Self.vllmMinimumCUDA) else {
      return "the NVIDIA driver supports CUDA \(hardware.cudaVersion ?? "(unknown)"), vLLM needs \(Self.vllmMinimumCUDA) or newer"
    }
    if vllmGPUs.isEmpty {
      let described = hardware.nvidiaGPUs.map { "\($0.name) (compute capability \($0.computeCapability ?? "unknown"))" }
      return
        "vLLM needs compute capability \(Self.vllmMinimumCapability) or higher, known for certain; found \(described.joined(separator: ", "))"
    }
    return nil
  }

  var vllmGPUs: [GPUReport] {
    hardware.nvidiaGPUs.filter { $0.computeCapability.map { CUDADriverSupport.isAtLeast($0, Self.vllmMinimumCapability) } ?? false }
  }

  /// A context the project fixed: the only one tried.
  var contextOverride: Int?

  static var defaultContext: Int { Recommender.defaultContext }

  func contexts(for model: CatalogModel) -> [Int] {
    if let contextOverride { return [contextOverride] }
    let supported = MemoryEstimate.standardContexts.filter { $0 <= min(model.shape.maxContext, Self.defaultContext) }
    return (supported.isEmpty ? [min(model.shape.maxContext, Self.defaultContext)] : supported).reversed()
  }

  /// The default context (or the one asked for) when it fits RAM plus usable VRAM, else the largest
  /// smaller one that does; on a GPU, preferably one that keeps the model wholly there.
  func llamaCpp(_ model: CatalogModel) -> Plan? {
    let layers = model.shape.layers ?? 0
    let fitting = contexts(for: model).compactMap { context -> Plan? in
      let estimate = MemoryEstimate.llamaCpp(model, context: context)
      let offload = gpuLayers(model, estimate: estimate)
      // Host RAM holds what is not offloaded, and never less than the process itself needs.
      let ramNeeded = max(Self.llamaCppMinimumHostMemory, estimate.totalBytes - offload.bytes)
      guard ramNeeded <= ramBudget else { return nil }
      let flags = Recommendation.LlamaServerFlags(
        nGPULayers: min(offload.layers, layers + 1), threads: hardware.cpu.effectiveCores, ctxSize: context)
      return Plan(engine: .llamaCpp, estimate: estimate, llamaServer: flags, wholeOnGPU: offload.layers > layers)
    }
    return fitting.first(where: \.wholeOnGPU) ?? fitting.first
  }

  /// Layers that fit in usable VRAM, counting the output layer as one more (so all layers is
  /// `layers + 1`), and the bytes they take off RAM.
  func gpuLayers(_ model: CatalogModel, estimate: MemoryEstimate) -> (layers: Int, bytes: UInt64) {
    let layers = UInt64(model.shape.layers ?? 0)
    guard gpuBudget > estimate.computeBytes, layers > 0 else { return (0, 0) }
    let perLayer = estimate.weightsBytes / (layers + 1) + estimate.kvCacheBytes / layers
    let count = min(layers + 1, (gpuBudget - estimate.computeBytes) / max(perLayer, 1))
    guard count > 0 else { return (0, 0) }
    let offloaded = count == layers + 1 ? estimate.totalBytes : count * perLayer + estimate.computeBytes
    return (Int(count), min(offloaded, estimate.totalBytes))
  }

  func vllm(_ model: CatalogModel) -> Plan? {
    guard vllmIneligibility == nil, model.vllm != nil else { return nil }
    // Tensor parallelism splits a model over identical GPUs only.
    let groups = Dictionary(grouping: vllmGPUs, by: \.name).values.sorted { $0.count > $1.count }
    for group in groups {
      for size in [1, 2, 4, 8] where size <= group.count && (model.shape.heads ?? 1) % size == 0 {
        let gpus = Array(group.sorted { $0.memoryFreeBytes > $1.memoryFreeBytes }.prefix(size))
        guard let total = gpus.map(\.memoryTotalBytes).min(), total > 0,
          let free = gpus.map(\.memoryFreeBytes).min()
        else { continue }
        let freeShare = Double(free) / Double(total) - 0.02
        let utilization = (min(Self.vllmMaximumUtilization, freeShare) * 100).rounded(.down) / 100
        guard utilization > Self.vllmMinimumUtilization, Self.vllmHostMemory(gpus: size) <= ramBudget else { continue }
        let usable = UInt64(Double(total) * utilization) * UInt64(size)
        for context in contexts(for: model) {
          let estimate = MemoryEstimate.vllm(model, context: context, gpus: size)
          guard estimate.totalBytes <= usable else { continue }
          let flags = Recommendation.VLLMFlags(
            gpuMemoryUtilization: utilization, maxModelLen: context, tensorParallelSize: size)
          return Plan(engine: .vllm, estimate: estimate, vllm: flags, wholeOnGPU: true)
        }
      }
    }
    return nil
  }
}
