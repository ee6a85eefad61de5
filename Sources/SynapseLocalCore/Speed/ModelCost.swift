import SynapseLocalSystem

/// What one token costs a chat model: generation reads every weight once (plus the KV cache in
/// use), prompt processing multiplies every token through the layers. docs/recommendation.md gives
/// the speed model.
public struct ModelCost: Sendable, Equatable {
  /// The bytes one generated token reads: the weights the engine loads.
  public var weightsBytes: UInt64
  /// Parameters every prompt token is multiplied through: all but the token-embedding table, which
  /// is only looked up.
  public var computeParameters: UInt64
  /// Transformer blocks (for splitting a partial GPU offload).
  public var layers: Int
  /// KV-cache bytes per token of context.
  public var kvBytesPerToken: UInt64
  /// The quantization has llama.cpp's repacked CPU kernels (Q4_0, Q4_K, IQ4_NL on AVX2 and NEON),
  /// which read prompts faster per parameter than the others.
  public var repackedKernels: Bool

  public init(weightsBytes: UInt64, computeParameters: UInt64, layers: Int, kvBytesPerToken: UInt64, repackedKernels: Bool) {
    self.weightsBytes = weightsBytes
    self.computeParameters = computeParameters
    self.layers = layers
    self.kvBytesPerToken = kvBytesPerToken
    self.repackedKernels = repackedKernels
  }

  /// Quantizations served by llama.cpp's repacked CPU kernels; a K-quant mix is named by its main type.
  static func hasRepackedKernels(_ quantization: String?) -> Bool {
    guard let q = quantization?.uppercased() else { return false }
    return q == "Q4_0" || q.hasPrefix("Q4_K") || q == "IQ4_NL"
  }

  /// A catalog model on an engine: the GGUF file for llama.cpp, the 16-bit repository for vLLM.
  public static func of(_ model: CatalogModel, engine: Engine) -> ModelCost {
    let shape = model.shape
    let embedding = min(shape.embeddingParameters ?? 0, shape.parameterCount / 2)
    // A mixture of experts reads and multiplies through only the experts each token is routed to.
    let active = min(shape.activeParameters ?? shape.parameterCount, shape.parameterCount)
    let share = Double(active) / Double(max(shape.parameterCount, 1))
    let stored = engine == .vllm ? (model.vllm?.sizeBytes ?? shape.parameterCount * 2) : model.sizeBytes
    return ModelCost(
      weightsBytes: UInt64(Double(stored) * share),
      computeParameters: max(1, active - min(embedding, active / 2)), layers: shape.layers ?? 0,
      kvBytesPerToken: MemoryEstimate.kvCache(shape, context: 1),
      repackedKernels: engine == .llamaCpp && hasRepackedKernels(model.quantization))
  }

  /// A GGUF file at hand, from its header.
  public static func of(_ info: GGUFModelInfo) -> ModelCost {
    let kv =
      2 * UInt64(max(info.blockCount ?? 0, 0)) * UInt64(max(info.headCountKV ?? 0, 0)) * UInt64(max(info.headDimension ?? 0, 0))
      * MemoryEstimate.kvBytesPerElement
    let total = max(info.parameterCount, 1)
    // A mixture of experts: a token reads and multiplies through only its routed experts' share.
    var unused: UInt64 = 0
    if let experts = info.expertCount, let used = info.expertUsedCount, experts > 0, used > 0, used < experts {
      unused = UInt64(Double(min(info.expertParameterCount, total)) * Double(experts - used) / Double(experts))
    }
    let active = total - unused
    let embedding = min(info.embeddingParameterCount, active / 2)
    return ModelCost(
      weightsBytes: UInt64(Double(info.fileSizeBytes) * Double(active) / Double(total)), computeParameters: max(1, active - embedding),
      layers: Int(max(info.blockCount ?? 0, 0)), kvBytesPerToken: kv, repackedKernels: hasRepackedKernels(info.fileType))
  }

  /// The model a REF names, as served: the GGUF's header when the file is at hand (llama.cpp),
  /// else the catalog entry; nil when neither tells.
  public static func of(ref: ModelReference, path: String?, files: any FileSystem, engine: Engine, catalog: ModelCatalog) -> ModelCost? {
    if engine == .llamaCpp, let path, let file = try? GGUFReader.read(path: path, files: files) {
      return of(GGUFModelInfo(file: file, path: path))
    }
    if case .catalog(let id, _) = ref, let model = try? catalog.model(id: id, role: .llm) {
      return of(model, engine: engine)
    }
    return nil
  }
}
