/// Sequential little-endian reads over a `GGUFByteSource`, buffered in chunks, with every length
/// checked against the bytes the file can still hold before anything is allocated.
struct GGUFCursor {
  let source: any GGUFByteSource
  private(set) var offset: UInt64 = 0
  private var buffer: [UInt8] = []
  private var bufferStart: UInt64 = 0
  private let chunk = 1 << 20

  init(source: any GGUFByteSource) {
    self.source = source
  }

  var remaining: UInt64 { source.size > offset ? source.size - offset : 0 }

  /// Makes `count` bytes from `offset` available in `buffer`, or says the file is too short.
  private mutating func ensure(_ count: Int, _ context: @autoclosure () -> String) throws(GGUFError) {
    let end = offset + UInt64(count)
    if offset >= bufferStart && end <= bufferStart + UInt64(buffer.count) { return }
    guard end <= source.size else { throw .truncated(needed: end, size: source.size, while: context()) }
    do {
      buffer = try source.read(at: offset, count: max(count, chunk))
    } catch let error as GGUFError {
      throw error
    } catch {
      throw .unreadable(path: "GGUF source", reason: "\(error)")
    }
    bufferStart = offset
    guard buffer.count >= count else { throw .truncated(needed: end, size: source.size, while: context()) }
  }

  mutating func bytes(_ count: Int, _ context: @autoclosure () -> String) throws(GGUFError) -> ArraySlice<UInt8> {
    try ensure(count, context())
    let start = Int(offset - bufferStart)
    offset += UInt64(count)
    return buffer[start..<start + count]
  }

  mutating func integer<T: FixedWidthInteger>(_: T.Type, _ context: @autoclosure () -> String) throws(GGUFError) -> T {
    let size = MemoryLayout<T>.size
    try ensure(size, context())
    let start = Int(offset - bufferStart)
    var value: T = 0
    for i in 0..<size { value |= T(truncatingIfNeeded: buffer[start + i]) << (8 * i) }
    offset += UInt64(size)
    return value
  }

  mutating func u32(_ context: @autoclosure () -> String) throws(GGUFError) -> UInt32 {
    try integer(UInt32.self, context())
  }

  mutating func u64(_ context: @autoclosure () -> String) throws(GGUFError) -> UInt64 {
    try integer(UInt64.self, context())
  }

  /// A GGUF string: u64 length, then that many UTF-8 bytes (invalid bytes are replaced, not fatal).
  mutating func string(_ context: @autoclosure () -> String, limit: UInt64 = 16 << 20) throws(GGUFError) -> String {
    let start = offset
    let length = try u64(context())
    guard length <= limit else {
      throw .implausible("a string of \(length) bytes while reading \(context())", offset: start)
    }
    guard length <= remaining else {
      throw .truncated(needed: offset + length, size: source.size, while: context())
    }
    return String(decoding: try bytes(Int(length), context()), as: UTF8.self)
  }

  /// Moves past `count` bytes without reading them.
  mutating func skip(_ count: UInt64, _ context: @autoclosure () -> String) throws(GGUFError) {
    guard count <= remaining else { throw .truncated(needed: offset + count, size: source.size, while: context()) }
    offset += count
  }

  mutating func seek(to position: UInt64) {
    offset = position
  }
}
