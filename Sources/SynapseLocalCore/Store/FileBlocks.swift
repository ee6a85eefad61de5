import Foundation

/// The block reads and full writes every hashing path shares (verify, import, resume).
enum FileBlocks {
  /// 64 KiB: each block is hashed while it is still in the CPU cache it was copied into
  /// (1 MiB blocks made `models verify` 32% slower than `openssl dgst`).
  static let size = 64 << 10

  /// Reads `descriptor` from its current position to the end, or `limit` bytes, handing each block
  /// to `body`; returns the bytes read.
  @discardableResult
  static func forEachBlock(_ descriptor: Int32, path: String, limit: UInt64? = nil, _ body: (UnsafeRawBufferPointer) throws -> Void) throws
    -> UInt64
  {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    defer { buffer.deallocate() }
    var total: UInt64 = 0
    while limit.map({ total < $0 }) ?? true {
      let wanted = limit.map { min(size, Int($0 - total)) } ?? size
      let n = read(descriptor, buffer.baseAddress, wanted)
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw StoreError.unreadable(path: path, reason: String(cString: strerror(errno))) }
      if n == 0 { break }
      try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
      total += UInt64(n)
    }
    return total
  }

  /// Writes all of `bytes`, however many calls it takes.
  static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
    var offset = 0
    while offset < bytes.count {
      let n = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw StoreError.unwritable(path: path, reason: String(cString: strerror(errno))) }
      offset += n
    }
  }
}
