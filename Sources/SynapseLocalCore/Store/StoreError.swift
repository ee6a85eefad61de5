public enum StoreError: Error, Equatable, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case unwritable(path: String, reason: String)
  case badRepository(String)
  case badPathInRepository(String)
  case notInStore(String)
  case importSourceMissing(String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
    case .unwritable(let path, let reason): "cannot write \(path): \(reason); check the permissions and free space of the model store (HF_HUB_CACHE)"
    case .badRepository(let text): "'\(text)' is not a repository: give ORG/REPO (for example sentence-transformers/all-MiniLM-L6-v2)"
    case .badPathInRepository(let text): "'\(text)' is not a safe path inside a repository: it must be relative, without '..' or empty parts"
    case .notInStore(let what): "\(what) is not in the model store; `synapse-local models list` shows what is"
    case .importSourceMissing(let path): "\(path) does not exist; give a file or folder to import"
    }
  }
}
