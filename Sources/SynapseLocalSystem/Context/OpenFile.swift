import Foundation

/// A file open for streaming, read or written a block at a time: the store's downloads and digests,
/// archives and bundles, which are too large to hold in memory.
public protocol OpenFile: AnyObject {
  var path: String { get }
  /// The file's length now.
  func length() throws -> UInt64
  /// Moves the position the next read or write starts at.
  func seek(to offset: UInt64) throws
  /// Up to `buffer.count` bytes from the position; 0 at the end.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
  /// All of `bytes`, at the position.
  func write(_ bytes: UnsafeRawBufferPointer) throws
  func truncate(to length: UInt64) throws
  /// Flushes what was written to the disk (a rename after it then never exposes a short file).
  func sync() throws
  /// Starts writing the range's bytes to the disk without waiting for them, so that a later
  /// `sync()` finds little left to do. A hint: only `sync()` makes the bytes durable.
  func startWriteback(offset: UInt64, length: UInt64)
  /// Waits until the range's bytes are written back (bounding the dirty pages a long write leaves
  /// behind); errors are left for `sync()` to report.
  func awaitWriteback(offset: UInt64, length: UInt64)
  /// For a C library that takes a descriptor (libarchive); nil for a file that is not on a disk.
  var descriptor: Int32? { get }
  /// Closing twice is harmless; a file is also closed when released.
  func close()
}

extension OpenFile {
  /// Up to `count` bytes from the position; empty at the end.
  public func read(upTo count: Int) throws -> Data {
    var data = Data(count: count)
    let got = try data.withUnsafeMutableBytes { try read(into: $0) }
    data.count = got
    return data
  }

  public func write(_ data: Data) throws {
    try data.withUnsafeBytes { try write($0) }
  }
}
