import Foundation
import SynapseLocalSystem

/// The per-blob lock huggingface_hub takes (`<cache>/.locks/models--ORG--REPO/<etag>.lock`, an
/// exclusive `flock`), so two pulls, or a pull and huggingface_hub, fetching one blob at once end
/// with one correct copy: the second waits, then finds the blob there.
enum BlobLock {
  /// Waits on `time` while another holds it; cancellation ends the wait.
  static func acquire(cache: HubCache, repository: RepositoryID, etag: String, time: any TimeSource) async throws -> any FileLock {
    let folder = "\(cache.root)/.locks/\(repository.cacheFolderName)"
    try StoreFolders.makeFolder(folder, files: cache.files)
    let path = "\(folder)/\(etag).lock"
    do {
      return try await cache.files.lock(path, time: time)
    } catch let error as FileSystemError {
      throw StoreError.unwritable(path: path, reason: error.reason)
    }
  }
}
