import CFileShims
import Foundation

/// A file on disk, open through its descriptor.
final class DiskFile: OpenFile {
  let path: String
  private var fd: Int32

  init(path: String, mode: OpenMode, permissions: Int) throws {
    self.path = path
    let flags: Int32 =
      switch mode {
      case .read: O_RDONLY
      case .update: O_RDWR | O_CREAT
      case .truncate: O_RDWR | O_CREAT | O_TRUNC
      case .createNew: O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW
      }
    fd = Foundation.open(path, flags | O_CLOEXEC, mode_t(permissions))
    guard fd >= 0 else { throw FileSystemError.errno(mode == .read ? "open" : "create", path) }
    // The mode exactly, whatever the umask, before a byte is written: a secret is never wider.
    if mode == .createNew { _ = fchmod(fd, mode_t(permissions)) }
  }

  deinit { close() }

  var descriptor: Int32? { fd >= 0 ? fd : nil }

  func length() throws -> UInt64 {
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw FileSystemError.errno("measure", path) }
    return UInt64(info.st_size)
  }

  func seek(to offset: UInt64) throws {
    guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { throw FileSystemError.errno("seek in", path) }
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
    while true {
      let got = Foundation.read(fd, base, buffer.count)
      if got >= 0 { return got }
      guard errno == EINTR else { throw FileSystemError.errno("read", path) }
    }
  }

  func write(_ bytes: UnsafeRawBufferPointer) throws {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
      let wrote = Foundation.write(fd, base + offset, bytes.count - offset)
      if wrote < 0 {
        guard errno == EINTR else { throw FileSystemError.errno("write", path) }
        continue
      }
      offset += wrote
    }
  }

  func truncate(to length: UInt64) throws {
    guard ftruncate(fd, off_t(length)) == 0 else { throw FileSystemError.errno("truncate", path) }
  }

  func sync() throws {
    guard fsync(fd) == 0 else { throw FileSystemError.errno("flush", path) }
  }

  // sync_file_range(2) on Linux; elsewhere nothing, and `sync()` does all the work.
  func startWriteback(offset: UInt64, length: UInt64) {
    _ = sl_start_writeback(fd, Int64(offset), Int64(length))
  }

  func awaitWriteback(offset: UInt64, length: UInt64) {
    _ = sl_await_writeback(fd, Int64(offset), Int64(length))
  }

  func close() {
    guard fd >= 0 else { return }
    _ = Foundation.close(fd)
    fd = -1
  }
}
