import Foundation

/// `flock` on a file of its own.
final class DiskFileLock: FileLock, @unchecked Sendable {
  private let lock = NSLock()
  private var fd: Int32

  /// Nil while another holds it.
  static func take(_ path: String) throws -> DiskFileLock? {
    let fd = Foundation.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FileSystemError.errno("create the lock", path) }
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      if errno == EINTR { continue }
      let error = errno == EWOULDBLOCK ? nil : FileSystemError.errno("lock", path)
      _ = Foundation.close(fd)
      if let error { throw error }
      return nil
    }
    return DiskFileLock(fd: fd)
  }

  private init(fd: Int32) { self.fd = fd }

  deinit { release() }

  func release() {
    lock.withLock {
      guard fd >= 0 else { return }
      _ = flock(fd, LOCK_UN)
      _ = Foundation.close(fd)
      fd = -1
    }
  }
}
