import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// A download's bytes handed to the disk while it arrives, so the fsync before the rename finds
/// little left to write (docs/BENCHMARKS.md, bench-pull).
@Suite("writeback while downloading")
struct WritebackWindowTests {
  let files = MemoryFileSystem(roots: ["/store"])

  /// Each step is started once, in order, and the one before it waited for: nothing is started
  /// twice, nothing skipped, and at most two steps are ever dirty.
  @Test func stepsAreStartedInOrderAndTheOneBeforeWaitedFor() throws {
    try files.createDirectory("/store")
    let file = try files.open("/store/blob.incomplete", .update)
    var window = WritebackWindow(from: 0, step: 100)
    for written: UInt64 in [40, 99, 100, 150, 230, 260, 420] { window.advance(file, written: written) }
    #expect(
      files.writebacks("/store/blob.incomplete") == [
        .init(offset: 0, length: 100, waited: false),
        .init(offset: 100, length: 130, waited: false), .init(offset: 0, length: 100, waited: true),
        .init(offset: 230, length: 190, waited: false), .init(offset: 100, length: 130, waited: true),
      ])
    #expect(window.started == 420 && window.waited == 230)
  }

  /// A resumed download starts its window where the partial file ended: the bytes of the earlier
  /// run are left to the final sync, which covers the whole file.
  @Test func aResumedDownloadHandsOnlyItsNewBytesToTheDisk() throws {
    try files.createDirectory("/store/blobs")
    let partial = "/store/blobs/blob.incomplete"
    let bytes = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
    try files.write(Data(bytes[0..<300_000]), to: partial, permissions: 0o644)
    let sink = try DigestingSink(path: partial, expectedSize: 1_000_000, gitSHA1: false, files: files, writebackStep: 250_000)
    for start in stride(from: 300_000, to: 1_000_000, by: 50_000) {
      try bytes[start..<(start + 50_000)].withUnsafeBytes { try sink.append($0) }
    }
    #expect(try sink.finish().sha256 == Digest.hex(.sha256, bytes))
    #expect(
      files.writebacks(partial) == [
        .init(offset: 300_000, length: 250_000, waited: false),
        .init(offset: 550_000, length: 250_000, waited: false), .init(offset: 300_000, length: 250_000, waited: true),
      ])
  }
}
