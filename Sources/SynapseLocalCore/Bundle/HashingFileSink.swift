import Foundation

/// Where the bundle writer's compressed bytes go: written to the file and hashed on the way, so
/// `bundle export` can print the whole file's sha256 without reading it again.
final class HashingFileSink {
  let descriptor: Int32
  let digest = Digest(.sha256)
  /// Why a write failed (libarchive reports only that it did).
  private(set) var failure: String?

  init(descriptor: Int32) { self.descriptor = descriptor }

  /// Writes all of `bytes`; their count, or -1.
  func write(_ bytes: UnsafeRawBufferPointer) -> Int {
    guard let base = bytes.baseAddress else { return 0 }
    var done = 0
    while done < bytes.count {
      let count = Foundation.write(descriptor, base + done, bytes.count - done)
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else {
        failure = String(cString: strerror(errno))
        return -1
      }
      done += count
    }
    digest.update(bytes)
    return done
  }
}
