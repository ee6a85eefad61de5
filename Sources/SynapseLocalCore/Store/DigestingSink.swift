import Foundation
import SynapseLocalSystem

/// A partial download on disk with its digests kept current: opening it hashes what is already
/// there (a resume), every appended chunk is written and hashed in order.
final class DigestingSink: @unchecked Sendable {
  private let lock = NSLock()
  private let file: any OpenFile
  private let sha256 = Digest(.sha256)
  private var gitSHA1: Digest?
  private(set) var written: UInt64 = 0
  private var pipeline: HashingPipeline?
  private var writeback: WritebackWindow
  let path: String
  let expectedSize: UInt64
  let files: any FileSystem

  init(
    path: String, expectedSize: UInt64, gitSHA1 useGitSHA1: Bool, files: any FileSystem,
    writebackStep: UInt64 = WritebackWindow.defaultStep
  ) throws {
    self.path = path
    self.expectedSize = expectedSize
    self.files = files
    file = try StoreError.writing(path) { try files.open(path, .update) }
    // Moved to the end of what is already there once that is hashed (a resume).
    writeback = WritebackWindow(from: 0, step: writebackStep)
    if useGitSHA1 {
      let sha1 = Digest(.sha1)
      sha1.update(Array("blob \(expectedSize)\0".utf8))
      gitSHA1 = sha1
    }
    try StoreError.writing(path) {
      // A partial file longer than the whole is not ours to trust.
      let existing = try file.length()
      if existing > expectedSize { try file.truncate(to: 0) }
      try file.seek(to: 0)
      try hashExisting(upTo: min(existing, expectedSize))
      try file.seek(to: written)
    }
    writeback = WritebackWindow(from: written, step: writebackStep)
    pipeline = HashingPipeline(digests: [sha256] + (gitSHA1.map { [$0] } ?? []))
  }

  deinit {
    pipeline?.finish()
    file.close()
  }

  /// The same partial file emptied, for a server that cannot resume.
  func restarted() throws -> DigestingSink {
    lock.withLock {
      pipeline?.finish()
      _ = try? file.truncate(to: 0)
    }
    return try DigestingSink(path: path, expectedSize: expectedSize, gitSHA1: gitSHA1 != nil, files: files, writebackStep: writeback.step)
  }

  private func hashExisting(upTo length: UInt64) throws {
    written = try FileBlocks.forEachBlock(file, limit: length) { block in
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
      try FileBlocks.writeAll(file, chunk)
      pipeline?.submit(chunk)
      written += UInt64(chunk.count)
      writeback.advance(file, written: written)
    }
  }

  /// Flushes to disk and returns (sha256, the digest to compare with the etag).
  func finish() throws -> (sha256: String, check: String) {
    try lock.withLock {
      pipeline?.finish()
      try StoreError.writing(path) { try file.sync() }
      let sha = sha256.finish()
      return (sha, gitSHA1?.finish() ?? sha)
    }
  }
}
