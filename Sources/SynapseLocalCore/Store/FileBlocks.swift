import Foundation
import SynapseLocalSystem

/// The block reads and full writes every hashing path shares (verify, import, resume).
enum FileBlocks {
  /// 64 KiB: each block is hashed while it is still in the CPU cache it was copied into
  /// (1 MiB blocks made `models verify` 32% slower than `openssl dgst`).
  static let size = 64 << 10

  /// Reads `file` from its current position to the end, or `limit` bytes, handing each block to
  /// `body`; returns the bytes read.
  @discardableResult
  static func forEachBlock(_ file: any OpenFile, limit: UInt64? = nil, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> UInt64 {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    defer { buffer.deallocate() }
    var total: UInt64 = 0
    while limit.map({ total < $0 }) ?? true {
      let wanted = limit.map { min(size, Int($0 - total)) } ?? size
      let n = try StoreError.reading(file.path) { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted])) }
      if n == 0 { break }
      try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
      total += UInt64(n)
    }
    return total
  }

  /// Writes all of `bytes` at the file's position.
  static func writeAll(_ file: any OpenFile, _ bytes: UnsafeRawBufferPointer) throws {
    try StoreError.writing(file.path) { try file.write(bytes) }
  }
}
