import Foundation
import SynapseLocalSystem

/// A runtime archive's bytes for libarchive, read in blocks from an `OpenFile` (on a disk or in
/// memory); it skips and seeks, as a zip's central directory needs.
final class ArchiveSource {
  static let blockSize = 64 << 10
  let file: any OpenFile
  let block = UnsafeMutableRawPointer.allocate(byteCount: ArchiveSource.blockSize, alignment: 64)
  private let length: UInt64
  private var position: UInt64 = 0
  /// Why a read failed (libarchive reports only that it did).
  private(set) var failure: String?

  init(_ file: any OpenFile) throws {
    self.file = file
    length = try file.length()
  }

  deinit {
    block.deallocate()
    file.close()
  }

  /// The next block into `block`: its size, 0 at the end, -1 on an error.
  func read() -> Int {
    do {
      let count = try file.read(into: UnsafeMutableRawBufferPointer(start: block, count: Self.blockSize))
      position += UInt64(count)
      return count
    } catch {
      failure = Self.reason(error)
      return -1
    }
  }

  /// Moves to `offset` from the start, the position or the end (`whence`, as lseek's); the new
  /// position, or -1.
  func seek(_ offset: Int64, whence: Int32) -> Int64 {
    let base: Int64 =
      switch whence {
      case SEEK_CUR: Int64(position)
      case SEEK_END: Int64(length)
      default: 0
      }
    let target = base + offset
    guard target >= 0 else { return -1 }
    do {
      try file.seek(to: UInt64(target))
      position = UInt64(target)
      return target
    } catch {
      failure = Self.reason(error)
      return -1
    }
  }

  /// Passes over up to `count` bytes, never past the end; how many, or -1.
  func skip(_ count: Int64) -> Int64 {
    let skipped = max(0, min(count, Int64(length) - Int64(min(position, length))))
    return seek(skipped, whence: SEEK_CUR) < 0 ? -1 : skipped
  }

  /// A file system's failure as its reason alone (the path is said by the caller).
  static func reason(_ error: any Error) -> String {
    (error as? FileSystemError)?.reason ?? "\(error)"
  }
}
