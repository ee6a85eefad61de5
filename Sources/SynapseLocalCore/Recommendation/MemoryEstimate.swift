import SynapseLocalSystem

/// How much memory a chat model needs at a context size, by the formula in docs/estimates.md:
/// weights + KV cache (2 × layers × KV heads × head size × context × bytes per element) + a
/// compute-buffer allowance.
public struct MemoryEstimate: Codable, Sendable, Equatable {
  public var contextSize: Int
  public var weightsBytes: UInt64
  public var kvCacheBytes: UInt64
  public var computeBytes: UInt64
  public var totalBytes: UInt64 { weightsBytes + kvCacheBytes + computeBytes }

  enum CodingKeys: String, CodingKey {
    case contextSize = "context_size"
    case weightsBytes = "weights_bytes"
    case kvCacheBytes = "kv_cache_bytes"
    case computeBytes = "compute_bytes"
    case totalBytes = "total_bytes"
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(contextSize, forKey: .contextSize)
    try c.encode(weightsBytes, forKey: .weightsBytes)
    try c.encode(kvCacheBytes, forKey: .kvCacheBytes)
    try c.encode(computeBytes, forKey: .computeBytes)
    try c.encode(totalBytes, forKey: .totalBytes)
  }

  public init(contextSize: Int, weightsBytes: UInt64, kvCacheBytes: UInt64, computeBytes: UInt64) {
    self.contextSize = contextSize
    self.weightsBytes = weightsBytes
    self.kvCacheBytes = kvCacheBytes
    self.computeBytes = computeBytes
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    contextSize = try c.decode(Int.self, forKey: .contextSize)
    weightsBytes = try c.decode(UInt64.self, forKey: .weightsBytes)
    kvCacheBytes = try c.decode(UInt64.self, forKey: .kvCacheBytes)
    computeBytes = try c.decode(UInt64.self, forKey: .computeBytes)
  }

  /// 16-bit KV cache elements: llama.cpp's default f16 cache, vLLM's default for bf16 models.
  public static let kvBytesPerElement: UInt64 = 2

  public static func kvCache(_ shape: CatalogModel.Shape, context: Int) -> UInt64 {
    2 * UInt64(shape.layers ?? 0) * UInt64(shape.kvHeads ?? 0) * UInt64(shape.headDim ?? 0) * UInt64(context)
      * kvBytesPerElement
  }

  /// llama.cpp: the GGUF file's weights; compute buffers of 512 MiB plus 5% of the weights.
  public static func llamaCpp(_ model: CatalogModel, context: Int) -> MemoryEstimate {
    MemoryEstimate(
      contextSize: context, weightsBytes: model.sizeBytes, kvCacheBytes: kvCache(model.shape, context: context),
      computeBytes: 512 * ByteCount.mebibyte + model.sizeBytes / 20)
  }

  /// llama.cpp for a GGUF at hand (local or read remotely): the shape from its header.
  public static func llamaCpp(_ info: GGUFModelInfo, context: Int) -> MemoryEstimate {
    let kv =
      2 * UInt64(max(info.blockCount ?? 0, 0)) * UInt64(max(info.headCountKV ?? 0, 0)) * UInt64(max(info.headDimension ?? 0, 0))
      * UInt64(context) * kvBytesPerElement
    return MemoryEstimate(
      contextSize: context, weightsBytes: info.fileSizeBytes, kvCacheBytes: kv,
      computeBytes: 512 * ByteCount.mebibyte + info.fileSizeBytes / 20)
  }

  /// vLLM: the 16-bit safetensors weights; 1.5 GiB per GPU for the CUDA context, activations and
  /// CUDA graphs.
  public static func vllm(_ model: CatalogModel, context: Int, gpus: Int) -> MemoryEstimate {
    MemoryEstimate(
      contextSize: context, weightsBytes: model.vllm?.sizeBytes ?? model.shape.parameterCount * 2,
      kvCacheBytes: kvCache(model.shape, context: context),
      computeBytes: UInt64(gpus) * (3 * ByteCount.gibibyte / 2))
  }

  /// The standard context sizes tried, largest that fits first. 4096 is the guide's default and the
  /// smallest a RAG prompt with retrieved passages is planned for.
  public static let standardContexts = [4096, 8192, 16384, 32768, 65536, 131072]
}
