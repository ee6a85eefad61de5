import Foundation
import SynapseLocalSystem

/// The flags `tune` varies on this machine, and how a point of the search becomes `llm` settings.
/// Dimensions come in the order the search tries them: the flags that matter most first, the
/// physical batch before the logical batch that caps it.
public enum TuneSpace {
  /// `engineTakesMlock`: the engine's `--help` lists `--mlock` (newer llama.cpp builds replaced it
  /// with `--load-mode`, which the project file does not set).
  public static func dimensions(
    llm: ProjectConfiguration.LLM, hardware: HardwareReport, cost: ModelCost?, engineTakesMlock: Bool = true
  ) -> [TuneDimension] {
    let cores = max(1, hardware.cpu.effectiveCores)
    let threads =
      cores <= 4 ? Array(1...cores) : Array(Set([max(1, cores / 4), cores / 2, cores * 3 / 4, cores])).sorted()
    var dimensions = [
      TuneDimension(key: "threads", values: including(llm.threads, threads), start: llm.threads),
      TuneDimension(key: "ubatch_size", values: including(llm.ubatchSize, [128, 512]), start: llm.ubatchSize),
      TuneDimension(key: "batch_size", values: including(llm.batchSize, [128, 512, 2048]), start: llm.batchSize),
      // 0 off, 1 on, 2 auto (llama.cpp's default, measured as the start when the project has it).
      TuneDimension(
        key: "flash_attention", values: llm.flashAttention == .auto ? [2, 0, 1] : [0, 1],
        start: [FlashAttention.off: 0, .on: 1, .auto: 2][llm.flashAttention] ?? 2),
    ]
    // Prompt processing is compute-bound, generation bandwidth-bound: with cores to spare, the
    // prompt may want more threads than generation.
    if cores >= 4 {
      dimensions.append(
        TuneDimension(key: "threads_batch", values: including(llm.threadsBatch, [0, cores]), start: llm.threadsBatch))
    }
    if engineTakesMlock && mlockAllowed(cost: cost, llm: llm, hardware: hardware) {
      dimensions.append(TuneDimension(key: "mlock", values: [0, 1], start: llm.mlock ? 1 : 0))
    }
    // A partial offload: a few layers either way of the plan's split.
    if let layers = cost?.layers, !hardware.gpus.isEmpty, llm.gpuLayers > 0, llm.gpuLayers <= layers {
      let around = [-4, -2, 0, 2, 4].map { min(layers + 1, max(0, llm.gpuLayers + $0)) }
      dimensions.append(TuneDimension(key: "gpu_layers", values: Array(Set(around)).sorted(), start: llm.gpuLayers))
    }
    return dimensions
  }

  static func including(_ value: Int, _ values: [Int]) -> [Int] { Array(Set(values + [value])).sorted() }

  /// `--mlock` pins the weights: tried only when they take under half the available memory and the
  /// locked-memory limit allows them (root, or RLIMIT_MEMLOCK large enough).
  static func mlockAllowed(cost: ModelCost?, llm: ProjectConfiguration.LLM, hardware: HardwareReport) -> Bool {
    guard let cost else { return false }
    let needed = cost.weightsBytes + cost.kvBytesPerToken * UInt64(llm.context)
    guard needed < hardware.memory.effectiveBytes / 2 else { return false }
    if geteuid() == 0 { return true }
    var limit = rlimit()
    // RLIMIT_MEMLOCK: 8 on Linux, 6 on macOS (the C macro does not reach Swift).
    #if os(Linux)
      let memlock: Int32 = 8
    #else
      let memlock: Int32 = 6
    #endif
    guard getrlimit(.init(memlock), &limit) == 0 else { return false }
    // RLIM_INFINITY is all ones.
    return limit.rlim_cur == .max || UInt64(limit.rlim_cur) >= needed
  }

  /// What the engine treats alike counts as one point: `-ub` above `-b` is `-b`; `-tb` equal to
  /// `-t` is the default.
  public static func normalize(_ point: TunePoint) -> TunePoint {
    var values = point.values
    if let b = values["batch_size"], let ub = values["ubatch_size"], ub > b { values["ubatch_size"] = b }
    if let tb = values["threads_batch"], tb == values["threads"] { values["threads_batch"] = 0 }
    return TunePoint(values)
  }

  public static func apply(_ point: TunePoint, to llm: ProjectConfiguration.LLM) -> ProjectConfiguration.LLM {
    var llm = llm
    if let value = point["threads"] { llm.threads = value }
    if let value = point["threads_batch"] { llm.threadsBatch = value }
    if let value = point["batch_size"] { llm.batchSize = value }
    if let value = point["ubatch_size"] { llm.ubatchSize = value }
    if let value = point["flash_attention"] { llm.flashAttention = [0: FlashAttention.off, 1: .on][value] ?? .auto }
    if let value = point["mlock"] { llm.mlock = value == 1 }
    if let value = point["gpu_layers"] { llm.gpuLayers = value }
    return llm
  }
}
