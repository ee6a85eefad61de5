/// How a file is split over parallel ranged connections. The split depends only on the file's
/// size and the connection count, so a download interrupted by a crash finds its part files again.
public enum RangePlan {
  /// Connections a `pull` opens per large file unless told otherwise.
  public static let defaultConnections = 4
  /// Below this many bytes per connection, one connection does the job with less overhead.
  public static let defaultMinimumPart: UInt64 = 16 << 20

  /// `connections` equal ranges (the last one shorter), fewer when a range would be under `minimumPart`.
  public static func split(size: UInt64, connections: Int, minimumPart: UInt64 = defaultMinimumPart) -> [Range<UInt64>] {
    let count = max(1, min(UInt64(max(connections, 1)), size / max(minimumPart, 1)))
    guard count > 1 else { return [0..<size] }
    let length = (size + count - 1) / count
    return stride(from: UInt64(0), to: size, by: Int(length)).map { $0..<min($0 + length, size) }
  }
}
