import Foundation

/// A local file read with `pread`, never mapped or loaded whole.
public final class FileByteSource: GGUFByteSource {
  public let path: String
  public let size: UInt64
  private let descriptor: Int32

  public init(path: String) throws(GGUFError) {
    self.path = path
    var info = stat()
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      close(fd)
      throw .unreadable(path: path, reason: "it is not a regular file")
    }
    descriptor = fd
    size = UInt64(info.st_size)
  }

  deinit { close(descriptor) }

  public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
    guard count > 0, offset < size else { return [] }
    var bytes = [UInt8](repeating: 0, count: Int(min(UInt64(count), size - offset)))
    var filled = 0
    while filled < bytes.count {
      let n = bytes.withUnsafeMutableBytes { buffer in
        pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset) + off_t(filled))
      }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw GGUFError.unreadable(path: path, reason: String(cString: strerror(errno))) }
      if n == 0 { break }
      filled += n
    }
    return filled == bytes.count ? bytes : Array(bytes[..<filled])
  }
}
