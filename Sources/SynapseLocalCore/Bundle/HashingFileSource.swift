import Foundation
import SynapseLocalSystem

/// The bundle file's raw bytes, read in blocks for libarchive and hashed on the way: the whole
/// file's sha256 comes from the same single read that streams the members into staging.
final class HashingFileSource {
  static let blockSize = 1 << 20
  let file: any OpenFile
  let block = UnsafeMutableRawPointer.allocate(byteCount: HashingFileSource.blockSize, alignment: 64)
  private let digest = Digest(.sha256)
  /// Why a read failed (libarchive reports only that it did).
  private(set) var failure: String?

  init(file: any OpenFile) { self.file = file }

  deinit {
    block.deallocate()
    file.close()
  }

  /// The next block into `block`, hashed: its size, 0 at the end, -1 on an error.
  func read() -> Int {
    do {
      let count = try file.read(into: UnsafeMutableRawBufferPointer(start: block, count: Self.blockSize))
      digest.update(UnsafeRawBufferPointer(start: block, count: count))
      return count
    } catch {
      failure = (error as? FileSystemError)?.reason ?? "\(error)"
      return -1
    }
  }

  /// Reads what libarchive left (the padding after the end of the archive, anything appended)
  /// and returns the whole file's sha256; call once.
  func finish(path: String) throws -> String {
    while true {
      let count = read()
      if count == 0 { break }
      if count < 0 { throw BundleError.unreadable(path: path, reason: failure ?? "read failed") }
    }
    return digest.finish()
  }
}
