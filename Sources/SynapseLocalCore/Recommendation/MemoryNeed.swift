import Foundation
import SynapseLocalSystem

/// One model's resident memory when its engine serves it: the single answer used by `up`'s
/// preflight, a swap's memory rule and the compose file's limits.
public enum MemoryNeed {
  /// The embedding server's runtime alone (torch, measured about 980 MiB with MiniLM).
  public static let embeddingRuntimeBytes: UInt64 = 980 * ByteCount.mebibyte

  /// The chat model on llama.cpp or vLLM at `context`: from the catalog, else from the GGUF's
  /// header at `path`; nil when neither tells.
  public static func llm(
    ref: ModelReference, engine: Engine, context: Int, tensorParallel: Int = 1, catalog: ModelCatalog, path: String?,
    files: any FileSystem
  ) -> MemoryEstimate? {
    if let model = catalogModel(ref, role: .llm, catalog: catalog) {
      return engine == .vllm
        ? MemoryEstimate.vllm(model, context: context, gpus: tensorParallel) : MemoryEstimate.llamaCpp(model, context: context)
    }
    guard engine == .llamaCpp, let path, let file = try? GGUFReader.read(path: path, files: files) else { return nil }
    return MemoryEstimate.llamaCpp(GGUFModelInfo(file: file, path: path), context: context)
  }

  /// llama-server's own memory beside an embedding model's weights: measured with all-MiniLM-L6-v2
  /// (F16, 44 MB) at 125 to 167 MiB resident after 320 embeddings (scripts/measure-embedding-engines).
  public static let llamaCppEmbeddingOverheadBytes: UInt64 = 120 * ByteCount.mebibyte

  /// The embedding service with this model. llama.cpp: its overhead and the converted weights (F16,
  /// 2 bytes a parameter). sentence-transformers: the catalog's measured `ram_bytes`; else the
  /// runtime and the weights twice (loaded, plus the copy torch makes), when their size is known.
  public static func embedding(ref: ModelReference, catalog: ModelCatalog, weightsBytes: UInt64?, engine: EmbeddingEngine) -> UInt64? {
    let model = catalogModel(ref, role: .embedding, catalog: catalog)
    if engine == .llamaCpp {
      if let model { return embeddingServer(model, engine: engine) }
      // Safetensors weights are mostly F32: the conversion halves them.
      return weightsBytes.map { llamaCppEmbeddingOverheadBytes + $0 / 2 }
    }
    if let ram = model?.ramBytes { return ram }
    return weightsBytes.map { embeddingRuntimeBytes + 2 * $0 }
  }

  /// A catalog embedding model's service memory on `engine`.
  public static func embeddingServer(_ model: CatalogModel, engine: EmbeddingEngine) -> UInt64 {
    guard engine == .llamaCpp, model.convertsToGGUF else { return model.ramBytes ?? 0 }
    return llamaCppEmbeddingOverheadBytes + 2 * model.shape.parameterCount
  }

  static func catalogModel(_ ref: ModelReference, role: ModelRole, catalog: ModelCatalog) -> CatalogModel? {
    guard case .catalog(let id, _) = ref else { return nil }
    return try? catalog.model(id: id, role: role)
  }
}
