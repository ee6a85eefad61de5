import Foundation
import SynapseLocalSystem

/// A file on disk that is a catalog model's, told by its bytes.
extension ModelCatalog {
  /// The `role` model whose GGUF is exactly this file: same size first (no hashing for a file of
  /// another size), then the SHA-256 the catalog pins. Nil for a folder, or bytes it does not know.
  public func model(holding path: String, role: ModelRole, files: any FileSystem) -> CatalogModel? {
    guard !files.isDirectory(path), let size = files.size(path) else { return nil }
    let candidates = models(role).filter { $0.gguf?.sha256 != nil && $0.sizeBytes == size }
    guard !candidates.isEmpty, let digest = try? Digest.sha256(ofFile: path, files: files) else { return nil }
    return candidates.first { $0.gguf?.sha256 == digest }
  }
}
