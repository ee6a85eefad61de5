import Foundation

/// The per-blob lock huggingface_hub takes (`<cache>/.locks/models--ORG--REPO/<etag>.lock`, an
/// exclusive `flock`), so two pulls, or a pull and huggingface_hub, fetching one blob at once end
/// with one correct copy: the second waits, then finds the blob there.
final class BlobLock {
  private let descriptor: Int32

  private init(descriptor: Int32) {
    self.descriptor = descriptor
  }

  static func acquire(cache: HubCache, repository: RepositoryID, etag: String, time: any TimeSource) async throws -> BlobLock {
    let folder = "\(cache.root)/.locks/\(repository.cacheFolderName)"
    try StoreFolders.makeFolder(folder)
    let path = "\(folder)/\(etag).lock"
    let fd = open(path, O_RDWR | O_CREAT, 0o644)
    guard fd >= 0 else { throw StoreError.unwritable(path: path, reason: String(cString: strerror(errno))) }
    // Poll rather than block: a blocked thread would hold one of Swift's few cooperative threads.
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK || errno == EINTR else {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw StoreError.unwritable(path: path, reason: reason)
      }
      do {
        try await time.sleep(for: .milliseconds(100))
      } catch {
        close(fd)
        throw error
      }
    }
    return BlobLock(descriptor: fd)
  }

  deinit {
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}
