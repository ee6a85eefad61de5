import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

final class MemoryFileLock: FileLock, @unchecked Sendable {
  private let files: MemoryFileSystem
  private let path: String
  private let released = NSLock()
  private var done = false

  init(files: MemoryFileSystem, path: String) {
    self.files = files
    self.path = path
  }

  deinit { release() }

  func release() {
    let first = released.withLock {
      defer { done = true }
      return !done
    }
    if first { files.unlock(path) }
  }
}
