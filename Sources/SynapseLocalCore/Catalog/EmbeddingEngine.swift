/// What serves the `embedding` role: llama.cpp's llama-server from a GGUF that synapse-local
/// converts from the model (no Python, no CUDA wheels), or the guide's sentence-transformers
/// server. docs/DECISIONS.md has the measurements behind the default.
public enum EmbeddingEngine: String, Codable, Sendable, CaseIterable {
  case llamaCpp = "llama.cpp"
  case sentenceTransformers = "sentence-transformers"

  /// The runtime that provides it.
  public var runtime: RuntimeID { self == .llamaCpp ? .llamaCpp : .embedding }
}
