import Foundation

/// Random access to a GGUF's bytes: a local file here; the model store adds a Hub file read with
/// HTTP `Range` requests.
public protocol GGUFByteSource {
  /// The whole file's size, even when only a prefix is at hand.
  var size: UInt64 { get }
  /// Up to `count` bytes from `offset`; fewer only at the end of what is available.
  func read(at offset: UInt64, count: Int) throws -> [UInt8]
}

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

/// Bytes in memory: damaged-file tests and headers already fetched.
public struct MemoryByteSource: GGUFByteSource {
  public var bytes: [UInt8]
  public var size: UInt64

  public init(_ bytes: [UInt8], size: UInt64? = nil) {
    self.bytes = bytes
    self.size = size ?? UInt64(bytes.count)
  }

  public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
    guard offset < UInt64(bytes.count), count > 0 else { return [] }
    let start = Int(offset)
    return Array(bytes[start..<min(bytes.count, start + count)])
  }
}
