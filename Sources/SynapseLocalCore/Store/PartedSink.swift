import Foundation
import SynapseLocalSystem

/// A download split over byte ranges that arrive at once, in any order.
///
/// The partial file (`blobs/<etag>.incomplete`) stays one contiguous prefix of the file, hashed
/// in order, which is what huggingface_hub assumes when it resumes it. The range that continues the
/// prefix (the head) streams into it; every other range goes to its own part file
/// (`<etag>.incomplete.part-<start>-<end>`) until the prefix reaches it. Then the part is appended
/// and hashed, and that range's connection carries on into the partial file directly. A crash
/// leaves the prefix and the parts, each a valid prefix of its range, so nothing is fetched twice.
final class PartedSink: @unchecked Sendable {
  private let lock = NSLock()
  private let main: DigestingSink
  let ranges: [Range<UInt64>]
  /// Bytes of each range received so far, in its part file or in the partial file.
  private var received: [UInt64]
  /// Open part files; nil for ranges already in the partial file.
  private var parts: [(any OpenFile)?]
  private var head: Int
  private var aborted = false
  private var files: any FileSystem { main.files }

  init(main: DigestingSink, ranges: [Range<UInt64>]) throws {
    self.main = main
    self.ranges = ranges
    received = Array(repeating: 0, count: ranges.count)
    parts = Array(repeating: nil, count: ranges.count)
    let prefix = main.written
    head = ranges.firstIndex { $0.upperBound > prefix } ?? ranges.count - 1
    for index in ranges.indices where index < head { received[index] = UInt64(ranges[index].count) }
    received[head] = prefix - ranges[head].lowerBound
    removeStrayParts()
    for index in ranges.indices where index >= head {
      let path = partPath(index)
      if index == head {
        // A crash while a part was being appended: take what the part holds beyond the prefix.
        if files.exists(path) { try adopt(index, from: path, skipping: received[index]) }
        continue
      }
      let part = try StoreError.writing(path) { try files.open(path, .update) }
      var length = try StoreError.writing(path) { try part.length() }
      if length > UInt64(ranges[index].count) {
        try StoreError.writing(path) { try part.truncate(to: 0) }
        length = 0
      }
      // Appends continue where the part ends.
      try StoreError.writing(path) { try part.seek(to: length) }
      parts[index] = part
      received[index] = length
    }
    try lock.withLock { try advance() }
  }

  deinit {
    for part in parts.compactMap({ $0 }) { part.close() }
  }

  /// Bytes received over all ranges (for progress).
  var written: UInt64 { lock.withLock { received.reduce(0, +) } }

  /// Where range `index` continues, or nil when it is complete.
  func nextOffset(_ index: Int) -> UInt64? {
    lock.withLock {
      received[index] < UInt64(ranges[index].count) ? ranges[index].lowerBound + received[index] : nil
    }
  }

  func append(_ index: Int, _ chunk: UnsafeRawBufferPointer) throws {
    try lock.withLock {
      if aborted { throw CancellationError() }
      guard received[index] + UInt64(chunk.count) <= UInt64(ranges[index].count) else {
        throw StoreError.downloadFailed(url: main.path, status: 206, message: "the server sent more than the range asked for")
      }
      if index == head {
        try main.append(chunk)
      } else if let part = parts[index] {
        try FileBlocks.writeAll(part, chunk)
      }
      received[index] += UInt64(chunk.count)
      try advance()
    }
  }

  /// Makes every connection's next chunk fail, so the others stop soon after one gives up.
  func abort() {
    lock.withLock { aborted = true }
  }

  /// Hashes are final once every range is in; returns (sha256, the digest the etag names).
  func finish() throws -> (sha256: String, check: String) {
    try lock.withLock {
      guard head == ranges.count - 1, received[head] == UInt64(ranges[head].count) else {
        throw StoreError.downloadFailed(url: main.path, status: 0, message: "ranges are missing")
      }
    }
    return try main.finish()
  }

  /// Removes the part files (for a server that turned out to ignore Range).
  func discardParts() {
    lock.withLock {
      for index in ranges.indices {
        parts[index]?.close()
        parts[index] = nil
        try? files.remove(partPath(index))
      }
    }
  }

  /// While the head range is complete, the next range becomes the head: its part is appended.
  private func advance() throws {
    while head < ranges.count - 1 && received[head] == UInt64(ranges[head].count) {
      head += 1
      guard let part = parts[head] else { continue }
      parts[head] = nil
      defer { part.close() }
      let path = partPath(head)
      try StoreError.reading(path) { try part.seek(to: 0) }
      let copied = try FileBlocks.forEachBlock(part, limit: received[head]) { try main.append($0) }
      guard copied == received[head] else { throw StoreError.unreadable(path: path, reason: "shorter than it was") }
      try? files.remove(path)
    }
  }

  /// Appends the bytes of a part file past `skipping` to the partial file, then removes the part.
  private func adopt(_ index: Int, from path: String, skipping: UInt64) throws {
    let part = try StoreError.reading(path) { try files.open(path, .read) }
    defer { part.close() }
    let length = try StoreError.reading(path) { try part.length() }
    if length > skipping && length <= UInt64(ranges[index].count) {
      try StoreError.reading(path) { try part.seek(to: skipping) }
      received[index] += try FileBlocks.forEachBlock(part, limit: length - skipping) { try main.append($0) }
    }
    try? files.remove(path)
  }

  private func partPath(_ index: Int) -> String {
    "\(main.path).part-\(ranges[index].lowerBound)-\(ranges[index].upperBound)"
  }

  /// Parts of an earlier split (another connection count) cannot be placed: they go.
  private func removeStrayParts() {
    let folder = (main.path as NSString).deletingLastPathComponent
    let prefix = (main.path as NSString).lastPathComponent + ".part-"
    let planned = Set(ranges.indices.map { (partPath($0) as NSString).lastPathComponent })
    for name in files.list(folder) ?? [] where name.hasPrefix(prefix) && !planned.contains(name) {
      try? files.remove(folder + "/" + name)
    }
  }
}
