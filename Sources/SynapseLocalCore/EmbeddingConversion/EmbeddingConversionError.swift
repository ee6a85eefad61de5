/// Why an embedding model cannot be turned into a GGUF for llama.cpp, and what to do instead.
public enum EmbeddingConversionError: Error, Equatable, CustomStringConvertible {
  /// The model is of a kind llama.cpp cannot serve the same way sentence-transformers does.
  case unsupported(String)
  /// A file of the model is missing or not what its format says.
  case damaged(file: String, reason: String)

  public var description: String {
    switch self {
    case .unsupported(let reason):
      "\(reason); serve this model with sentence-transformers instead (embedding.engine: sentence-transformers)"
    case .damaged(let file, let reason):
      "\(file) is damaged: \(reason); check the model (synapse-local models verify) or pull it again"
    }
  }
}
