import Foundation
import SynapseLocalSystem

/// Where the bundle writer's compressed bytes go: written to the file and hashed on the way, so
/// `bundle export` can print the whole file's sha256 without reading it again.
final class HashingFileSink {
  let file: any OpenFile
  let digest = Digest(.sha256)
  /// Why a write failed (libarchive reports only that it did).
  private(set) var failure: String?

  init(file: any OpenFile) { self.file = file }

  /// Writes all of `bytes`; their count, or -1.
  func write(_ bytes: UnsafeRawBufferPointer) -> Int {
    do {
      try file.write(bytes)
    } catch {
      failure = (error as? FileSystemError)?.reason ?? "\(error)"
      return -1
    }
    digest.update(bytes)
    return bytes.count
  }
}
