import Foundation
import SynapseLocalSystem

/// What `recommend` prints: the engine, the two models, tuned flags, and why. The JSON form is a
/// documented contract (docs/recommendation.md).
public struct Recommendation: Encodable, Sendable {
  public struct LLMChoice: Encodable, Sendable {
    public var id: String
    public var name: String
    public var title: String
    public var repository: String
    /// The file in the repository (llama.cpp); nil for vLLM, which loads the whole repository.
    public var path: String?
    public var estimateBytes: UInt64
    public var estimate: MemoryEstimate
    /// Predicted (or measured) speed with the plan's flags: encoded inside `estimate`.
    public var speed: SpeedEstimate

    enum CodingKeys: String, CodingKey {
      case id, name, title, repository, path, estimate
      case servedName = "served_name"
      case estimateBytes = "estimate_bytes"
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(id, forKey: .id)
      try c.encode(name, forKey: .name)
      // The name the engine will serve it under: the project's llm.served_name (`name` stays, as before).
      try c.encode(name, forKey: .servedName)
      try c.encode(title, forKey: .title)
      try c.encode(repository, forKey: .repository)
      try c.encode(path, forKey: .path)
      try c.encode(estimateBytes, forKey: .estimateBytes)
      // One `estimate` object: the memory figures and the speed figures side by side.
      let both = c.superEncoder(forKey: .estimate)
      try estimate.encode(to: both)
      try speed.encode(to: both)
    }
  }

  public struct EmbeddingChoice: Encodable, Sendable {
    public var id: String
    public var name: String
    public var repository: String
    public var dimensions: Int
    public var ramBytes: UInt64

    enum CodingKeys: String, CodingKey {
      case id, name, repository, dimensions
      case servedName = "served_name"
      case ramBytes = "ram_bytes"
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(id, forKey: .id)
      try c.encode(name, forKey: .name)
      try c.encode(name, forKey: .servedName)
      try c.encode(repository, forKey: .repository)
      try c.encode(dimensions, forKey: .dimensions)
      try c.encode(ramBytes, forKey: .ramBytes)
    }
  }

  public struct LlamaServerFlags: Encodable, Sendable, Equatable {
    public var nGPULayers: Int
    public var threads: Int
    public var ctxSize: Int

    public init(nGPULayers: Int, threads: Int, ctxSize: Int) {
      self.nGPULayers = nGPULayers
      self.threads = threads
      self.ctxSize = ctxSize
    }

    public var arguments: [String] {
      ["-ngl", String(nGPULayers), "-t", String(threads), "-c", String(ctxSize)]
    }

    enum CodingKeys: String, CodingKey {
      case nGPULayers = "n_gpu_layers"
      case threads
      case ctxSize = "ctx_size"
      case arguments
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(nGPULayers, forKey: .nGPULayers)
      try c.encode(threads, forKey: .threads)
      try c.encode(ctxSize, forKey: .ctxSize)
      try c.encode(arguments, forKey: .arguments)
    }
  }

  public struct VLLMFlags: Encodable, Sendable, Equatable {
    public var gpuMemoryUtilization: Double
    public var maxModelLen: Int
    public var tensorParallelSize: Int

    public init(gpuMemoryUtilization: Double, maxModelLen: Int, tensorParallelSize: Int) {
      self.gpuMemoryUtilization = gpuMemoryUtilization
      self.maxModelLen = maxModelLen
      self.tensorParallelSize = tensorParallelSize
    }

    public var arguments: [String] {
      [
        "--gpu-memory-utilization", String(format: "%.2f", gpuMemoryUtilization),
        "--max-model-len", String(maxModelLen), "--tensor-parallel-size", String(tensorParallelSize),
      ]
    }

    enum CodingKeys: String, CodingKey {
      case gpuMemoryUtilization = "gpu_memory_utilization"
      case maxModelLen = "max_model_len"
      case tensorParallelSize = "tensor_parallel_size"
      case arguments
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(gpuMemoryUtilization, forKey: .gpuMemoryUtilization)
      try c.encode(maxModelLen, forKey: .maxModelLen)
      try c.encode(tensorParallelSize, forKey: .tensorParallelSize)
      try c.encode(arguments, forKey: .arguments)
    }
  }

  public struct Budget: Encodable, Sendable {
    public var effectiveBytes: UInt64
    public var embeddingServerBytes: UInt64
    public var postgresBytes: UInt64
    public var backendBytes: UInt64
    public var marginBytes: UInt64
    /// What is left for the chat model in RAM.
    public var llmBytes: UInt64
    /// Usable VRAM for llama.cpp offload, summed over GPUs.
    public var gpuBytes: UInt64

    enum CodingKeys: String, CodingKey {
      case effectiveBytes = "effective_bytes"
      case embeddingServerBytes = "embedding_server_bytes"
      case postgresBytes = "postgres_bytes"
      case backendBytes = "backend_bytes"
      case marginBytes = "margin_bytes"
      case llmBytes = "llm_bytes"
      case gpuBytes = "gpu_bytes"
    }
  }

  public struct Alternative: Encodable, Sendable {
    public var id: String
    public var title: String
    public var engine: Engine?
    public var estimateBytes: UInt64
    /// Its predicted speed; nil when it does not fit.
    public var speed: SpeedEstimate?
    /// Why it was not chosen.
    public var note: String

    enum CodingKeys: String, CodingKey {
      case id, title, engine, note, speed
      case estimateBytes = "estimate_bytes"
    }
  }

  public var engine: Engine
  public var preference: Preference
  public var llm: LLMChoice
  public var embedding: EmbeddingChoice
  public var llamaServer: LlamaServerFlags?
  public var vllm: VLLMFlags?
  public var budget: Budget
  /// The speed floor (`--min-speed`) and whether the chosen model reaches it.
  public var minimumSpeed: Double
  public var reachesMinimumSpeed: Bool
  public var reasons: [String]
  public var alternatives: [Alternative]
  public var warnings: [String]
  /// llama.cpp plans: the build `up` installs for this machine's GPU, and why (nil: not known).
  public var llamaCppBuild: LlamaCppVariantChoice?

  enum CodingKeys: String, CodingKey {
    case engine, preference, llm, embedding, vllm, budget, reasons, alternatives, warnings
    case llamaCppBuild = "llama_cpp_build"
    case llamaServer = "llama_server"
    case minimumSpeed = "min_speed"
    case reachesMinimumSpeed = "reaches_min_speed"
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(engine, forKey: .engine)
    try c.encode(preference, forKey: .preference)
    try c.encode(llm, forKey: .llm)
    try c.encode(embedding, forKey: .embedding)
    try c.encode(llamaServer, forKey: .llamaServer)
    try c.encode(vllm, forKey: .vllm)
    try c.encode(budget, forKey: .budget)
    try c.encode(minimumSpeed, forKey: .minimumSpeed)
    try c.encode(reachesMinimumSpeed, forKey: .reachesMinimumSpeed)
    try c.encode(reasons, forKey: .reasons)
    try c.encode(llamaCppBuild, forKey: .llamaCppBuild)
    try c.encode(alternatives, forKey: .alternatives)
    try c.encode(warnings, forKey: .warnings)
  }
}
