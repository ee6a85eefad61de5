/// What `inspect` refuses: a REF that does not name one GGUF file.
public enum InspectError: Error, CustomStringConvertible, Equatable {
  /// A catalog id that is also the name of a file here: which one was meant is not guessed.
  case catalogIDNamesAFile(String)
  /// A REF that names a repository or a model without a GGUF.
  case notOneGGUF(ModelReference)

  public var description: String {
    switch self {
    case .catalogIDNamesAFile(let id): "'\(id)' reads as a catalog id; to inspect the file of that name, write ./\(id)"
    case .notOneGGUF(let ref):
      "'\(ref)' is not one GGUF file; inspect reads a GGUF header: give ORG/REPO/FILE.gguf or a catalog id"
    }
  }
}
