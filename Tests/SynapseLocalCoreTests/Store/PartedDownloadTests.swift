import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Parallel ranges in files (in memory), without a network: the split, out-of-order arrival, and a resume from
/// what a crash leaves behind. (Over real HTTP: PullTests in the integration tests.)
@Suite("parted downloads")
struct PartedDownloadTests {
  static let bytes: [UInt8] = (0..<1_000_003).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

  let files = MemoryFileSystem(roots: ["/store"])

  func temporaryPartial() throws -> String {
    let folder = "/store/blobs"
    try files.createDirectory(folder)
    return folder + "/blob.incomplete"
  }

  func feed(_ sink: PartedSink, range index: Int, from offset: UInt64, chunk: Int = 40_000) throws {
    var position = Int(offset)
    let end = Int(sink.ranges[index].upperBound)
    while position < end {
      let next = min(position + chunk, end)
      try Self.bytes[position..<next].withUnsafeBytes { try sink.append(index, $0) }
      position = next
    }
  }

  @Test func splitCoversTheFileOnceAndRespectsTheMinimum() {
    let ranges = RangePlan.split(size: 1_000_003, connections: 4, minimumPart: 100_000)
    #expect(ranges.count == 4)
    #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 1_000_003)
    #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
    #expect(RangePlan.split(size: 250_000, connections: 4, minimumPart: 100_000).count == 2)
    #expect(RangePlan.split(size: 99_999, connections: 4, minimumPart: 100_000) == [0..<99_999])
    #expect(RangePlan.split(size: 0, connections: 4) == [0..<0])
    #expect(RangePlan.split(size: 1 << 30, connections: 0).count == 1)
  }

  /// The last range arrives first and the first one last: the digest is still the file's.
  @Test func rangesArrivingOutOfOrderHashInOrder() throws {
    let partial = try temporaryPartial()
    let ranges = RangePlan.split(size: UInt64(Self.bytes.count), connections: 4, minimumPart: 100_000)
    let sink = try PartedSink(
      main: try DigestingSink(path: partial, expectedSize: UInt64(Self.bytes.count), gitSHA1: false, files: files), ranges: ranges)
    for index in [3, 1, 2, 0] { try feed(sink, range: index, from: ranges[index].lowerBound) }
    #expect(sink.written == UInt64(Self.bytes.count))
    let digest = try sink.finish()
    #expect(digest.sha256 == Digest.hex(.sha256, Self.bytes))
    #expect(files.contents(partial) == Data(Self.bytes))
    let folder = (partial as NSString).deletingLastPathComponent
    #expect(files.list(folder) == ["blob.incomplete"])
  }

  /// A crash leaves the prefix and the parts; a new sink takes each range up where it stopped,
  /// including a part the crash caught half-appended to the prefix.
  @Test func aCrashLeavesPartsThatResume() throws {
    let partial = try temporaryPartial()
    let size = UInt64(Self.bytes.count)
    let ranges = RangePlan.split(size: size, connections: 4, minimumPart: 100_000)
    // Range 0 complete and range 1 half copied into the prefix; range 1's part still whole;
    // range 3 has 1000 bytes in its part; a part of another split is a leftover.
    let prefixEnd = Int(ranges[1].lowerBound) + 5_000
    try files.write(Data(Self.bytes[0..<prefixEnd]), to: partial, permissions: 0o644)
    let part = { (index: Int) in "\(partial).part-\(ranges[index].lowerBound)-\(ranges[index].upperBound)" }
    try files.write(Data(Self.bytes[Int(ranges[1].lowerBound)..<Int(ranges[1].lowerBound) + 9_000]), to: part(1), permissions: 0o644)
    try files.write(Data(Self.bytes[Int(ranges[3].lowerBound)..<Int(ranges[3].lowerBound) + 1_000]), to: part(3), permissions: 0o644)
    try files.write(Data([1, 2, 3]), to: "\(partial).part-7-9", permissions: 0o644)

    let sink = try PartedSink(main: try DigestingSink(path: partial, expectedSize: size, gitSHA1: false, files: files), ranges: ranges)
    #expect(sink.nextOffset(0) == nil)
    #expect(sink.nextOffset(1) == ranges[1].lowerBound + 9_000)
    #expect(sink.nextOffset(2) == ranges[2].lowerBound)
    #expect(sink.nextOffset(3) == ranges[3].lowerBound + 1_000)
    #expect(!files.exists("\(partial).part-7-9"))
    for index in [3, 2, 1] { try feed(sink, range: index, from: sink.nextOffset(index) ?? 0) }
    #expect(try sink.finish().sha256 == Digest.hex(.sha256, Self.bytes))
  }

  @Test func moreBytesThanTheRangeAreRefused() throws {
    let partial = try temporaryPartial()
    let ranges = RangePlan.split(size: UInt64(Self.bytes.count), connections: 2, minimumPart: 100_000)
    let sink = try PartedSink(
      main: try DigestingSink(path: partial, expectedSize: UInt64(Self.bytes.count), gitSHA1: false, files: files), ranges: ranges)
    let tooMany = [UInt8](repeating: 0, count: ranges[1].count + 1)
    #expect(throws: StoreError.self) { try tooMany.withUnsafeBytes { try sink.append(1, $0) } }
    sink.abort()
    #expect(throws: CancellationError.self) { try Self.bytes[0..<10].withUnsafeBytes { try sink.append(0, $0) } }
  }
}
