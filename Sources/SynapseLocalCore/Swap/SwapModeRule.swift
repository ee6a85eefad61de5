import Foundation
import SynapseLocalSystem

/// The memory rule: both engines run side by side when the new model's estimate fits in what is
/// free now (the effective memory less what the running stack uses), with the same margin `up`
/// keeps; otherwise the old engine stops first.
public enum SwapModeRule {
  public struct Inputs: Sendable {
    public var forceHold: Bool
    public var engine: Engine
    /// llama-server with layers on a GPU: its weights go to VRAM.
    public var gpuOffload: Bool
    public var gpus: [GPUReport]
    /// The new model's estimate (nil when there is none).
    public var neededBytes: UInt64?
    public var memory: MemoryReport
    /// Resident memory of the stack's services now.
    public var stackBytes: UInt64
    public var model: String

    public init(
      forceHold: Bool, engine: Engine, gpuOffload: Bool, gpus: [GPUReport], neededBytes: UInt64?, memory: MemoryReport, stackBytes: UInt64,
      model: String
    ) {
      self.forceHold = forceHold
      self.engine = engine
      self.gpuOffload = gpuOffload
      self.gpus = gpus
      self.neededBytes = neededBytes
      self.memory = memory
      self.stackBytes = stackBytes
      self.model = model
    }
  }

  public static func decide(_ inputs: Inputs) -> (SwapMode, String) {
    if inputs.forceHold { return (.hold, "--hold asks for it") }
    if inputs.engine == .vllm {
      return (.hold, "vLLM takes its --gpu-memory-utilization share of each GPU, so two vLLM engines never share one")
    }
    guard let needed = inputs.neededBytes else { return (.hold, "there is no memory estimate for \(inputs.model)") }
    if inputs.gpuOffload && !inputs.gpus.isEmpty {
      let free = inputs.gpus.reduce(UInt64(0)) { $0 + $1.memoryFreeBytes }
      let usable = MemoryMargin.usable(free)
      return needed <= usable
        ? (.sideBySide, "\(inputs.model) needs about \(ByteCount.format(needed)) and the GPUs have \(ByteCount.format(free)) free")
        : (
          .hold,
          "\(inputs.model) needs about \(ByteCount.format(needed)) and the GPUs have \(ByteCount.format(free)) free, less a margin: not enough for two models"
        )
    }
    let memory = inputs.memory
    let ceiling = memory.limitBytes ?? memory.totalBytes
    let unused = ceiling > inputs.stackBytes ? ceiling - inputs.stackBytes : 0
    // MemAvailable already leaves out what the stack uses; a container limit does not.
    let free = min(memory.availableBytes, unused)
    let margin = MemoryMargin.of(memory.effectiveBytes)
    let usable = free > margin ? free - margin : 0
    let figures =
      "\(inputs.model) needs about \(ByteCount.format(needed)); \(ByteCount.format(free)) is free with the stack running (it uses \(ByteCount.format(inputs.stackBytes)))"
    return needed <= usable
      ? (.sideBySide, figures) : (.hold, figures + ", less a margin of \(ByteCount.format(margin)): not enough for two models")
  }
}
