import Foundation
import SynapseLocalSystem

extension FileSystem {
  /// A file's bytes for the GGUF reader, which reads only the header's parts.
  public func byteSource(_ path: String) throws(GGUFError) -> any GGUFByteSource {
    try OpenFileByteSource(files: self, path: path)
  }
}
