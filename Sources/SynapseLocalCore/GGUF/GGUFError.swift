/// Why a file is not a GGUF this reader can use. Each case says where in the file it went wrong.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case notGGUF(magic: String)
  case bigEndian
  case unsupportedVersion(UInt32)
  /// The file ends before byte `needed`; a remote reader fetches more and tries again.
  case truncated(needed: UInt64, size: UInt64, while: String)
  case implausible(String, offset: UInt64)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason):
      "cannot read \(path): \(reason)"
    case .notGGUF(let magic):
      "not a GGUF file (it starts with \(magic), a GGUF file starts with \"GGUF\"); pass a .gguf model file"
    case .bigEndian:
      "this is a big-endian GGUF file; only little-endian files (what llama.cpp publishes) are supported"
    case .unsupportedVersion(let version):
      "GGUF version \(version) is not supported (versions 2 and 3 are); convert the model again with a current llama.cpp"
    case .truncated(let needed, let size, let context):
      "the file is truncated: reading \(context) needs \(needed) bytes but it has \(size); download it again"
    case .implausible(let what, let offset):
      "the file is damaged: \(what) at byte \(offset); download it again"
    }
  }
}
