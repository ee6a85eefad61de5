import Foundation

/// A partial download on disk with its digests kept current: opening it hashes what is already
/// there (a resume), every appended chunk is written and hashed in order.
final class DigestingSink: @unchecked Sendable {
  private let lock = NSLock()
  private let descriptor: Int32
  private let sha256 = Digest(.sha256)
  private var gitSHA1: Digest?
  private(set) var written: UInt64 = 0
  private var pipeline: HashingPipeline?
  let path: String
  let expectedSize: UInt64

  init(path: String, expectedSize: UInt64, gitSHA1 useGitSHA1: Bool) throws {
    self.path = path
    self.expectedSize = expectedSize
    let fd = open(path, O_RDWR | O_CREAT, 0o644)
    guard fd >= 0 else { throw StoreError.unwritable(path: path, reason: String(cString: strerror(errno))) }
    descriptor = fd
    if useGitSHA1 {
      let sha1 = Digest(.sha1)
      sha1.update(Array("blob \(expectedSize)\0".utf8))
      gitSHA1 = sha1
    }
    // A partial file longer than the whole is not ours to trust.
    let existing = UInt64(lseek(fd, 0, SEEK_END))
    if existing > expectedSize { ftruncate(fd, 0) }
    lseek(fd, 0, SEEK_SET)
    try hashExisting(upTo: min(existing, expectedSize))
    lseek(fd, off_t(written), SEEK_SET)
    pipeline = HashingPipeline(digests: [sha256] + (gitSHA1.map { [$0] } ?? []))
  }

  deinit {
    pipeline?.finish()
    close(descriptor)
  }

  /// The same partial file emptied, for a server that cannot resume.
  func restarted() throws -> DigestingSink {
    lock.withLock {
      pipeline?.finish()
      _ = ftruncate(descriptor, 0)
    }
    return try DigestingSink(path: path, expectedSize: expectedSize, gitSHA1: gitSHA1 != nil)
  }

  private func hashExisting(upTo length: UInt64) throws {
    written = try FileBlocks.forEachBlock(descriptor, path: path, limit: length) { block in
      sha256.update(block)
      gitSHA1?.update(block)
    }
    guard written == length else { throw StoreError.unreadable(path: path, reason: "shorter than it was") }
  }

  func append(_ chunk: UnsafeRawBufferPointer) throws {
    try lock.withLock {
      guard written + UInt64(chunk.count) <= expectedSize else {
        throw StoreError.hubError(url: path, status: 0, message: "the server sent more than the \(expectedSize) bytes announced")
      }
      try FileBlocks.writeAll(descriptor, chunk, path: path)
      pipeline?.submit(chunk)
      written += UInt64(chunk.count)
    }
  }

  /// Flushes to disk and returns (sha256, the digest to compare with the etag).
  func finish() throws -> (sha256: String, check: String) {
    try lock.withLock {
      pipeline?.finish()
      guard fsync(descriptor) == 0 else { throw StoreError.unwritable(path: path, reason: String(cString: strerror(errno))) }
      let sha = sha256.finish()
      return (sha, gitSHA1?.finish() ?? sha)
    }
  }
}
