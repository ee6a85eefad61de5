import Foundation

/// What a swap will do, decided before it starts: the mode and why, the expected load against the
/// hold limit, and for the embedding model the vector size before and after.
public struct SwapPlan: Codable, Sendable, Equatable {
  public var service: ServiceName
  public var from: String?
  public var model: String
  public var mode: SwapMode
  public var reason: String
  public var expectedLoadSeconds: Double
  /// Whether that figure was measured on an earlier load of the same file (else estimated from its size).
  public var loadMeasured: Bool
  public var holdLimitSeconds: Double
  /// Embedding swaps: the vector size served now and the new model's.
  public var currentDimensions: Int?
  public var dimensions: Int?
  public var warnings: [String]

  enum CodingKeys: String, CodingKey {
    case service, from, model, mode, reason, dimensions, warnings
    case expectedLoadSeconds = "expected_load_seconds"
    case loadMeasured = "load_measured"
    case holdLimitSeconds = "hold_limit_seconds"
    case currentDimensions = "current_dimensions"
  }

  /// In hold mode, a load expected to outlast the hold means requests sent meanwhile get 503.
  public static func holdWarning(service: ServiceName, model: String, mode: SwapMode, expectedSeconds: Double, measured: Bool, holdSeconds: Double) -> String? {
    guard mode == .hold, expectedSeconds > holdSeconds else { return nil }
    let key = service == .llm ? "llm.timeout_ms (LOCAL_LLM_TIMEOUT; the hold ends 2 s before it)" : "embedding.hold_seconds"
    return "\(model) is expected to take \(Int(expectedSeconds.rounded())) s to load (\(measured ? "its last load" : "estimated from its size")), longer than the \(Int(holdSeconds)) s that requests are held: requests sent during the swap may get 503. Swap when the stack is idle, or raise \(key)."
  }

  /// Why an embedding swap that changes the vector size is refused without
  /// `--allow-dimension-change`.
  public var dimensionRefusal: String? {
    guard changesDimensions, let currentDimensions, let dimensions else { return nil }
    return "\(from ?? "the current model") gives \(currentDimensions)-dimension vectors and \(model) gives \(dimensions): the vectors already stored in pgvector cannot be compared with the new model's, so searches would fail or find nothing until every document is embedded again. Pass --allow-dimension-change to swap anyway; swap then lists the columns to re-embed."
  }

  public var changesDimensions: Bool {
    if let currentDimensions, let dimensions { return currentDimensions != dimensions }
    return false
  }
}

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
      let margin = max(512 * ByteCount.mebibyte, free / 10)
      let usable = free > margin ? free - margin : 0
      return needed <= usable
        ? (.sideBySide, "\(inputs.model) needs about \(ByteCount.format(needed)) and the GPUs have \(ByteCount.format(free)) free")
        : (.hold, "\(inputs.model) needs about \(ByteCount.format(needed)) and the GPUs have \(ByteCount.format(free)) free, less a margin: not enough for two models")
    }
    let memory = inputs.memory
    let ceiling = memory.limitBytes ?? memory.totalBytes
    let unused = ceiling > inputs.stackBytes ? ceiling - inputs.stackBytes : 0
    // MemAvailable already leaves out what the stack uses; a container limit does not.
    let free = min(memory.availableBytes, unused)
    let margin = max(512 * ByteCount.mebibyte, memory.effectiveBytes / 10)
    let usable = free > margin ? free - margin : 0
    let figures = "\(inputs.model) needs about \(ByteCount.format(needed)); \(ByteCount.format(free)) is free with the stack running (it uses \(ByteCount.format(inputs.stackBytes)))"
    return needed <= usable ? (.sideBySide, figures) : (.hold, figures + ", less a margin of \(ByteCount.format(margin)): not enough for two models")
  }
}
