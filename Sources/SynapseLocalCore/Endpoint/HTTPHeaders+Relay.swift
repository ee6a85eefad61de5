import NIOHTTP1

/// Header work on the relay's path, done on the names' bytes: `String.contains` and
/// `lowercased()` built a search table and a new string for every answer (a tenth of the
/// supervisor's time at 64 connections, by perf), and one `remove(name:)` per hop-by-hop name
/// walked the list once each.
extension HTTPHeaders {
  /// Whether the first `name` header's value contains `token` (lowercase ASCII), whatever its case.
  func value(of name: String, containsLowercased token: StaticString) -> Bool {
    guard let value = first(name: name) else { return false }
    let needle = UnsafeBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount)
    guard !needle.isEmpty else { return true }
    var text = value
    return text.withUTF8 { bytes in
      guard bytes.count >= needle.count else { return false }
      for start in 0...(bytes.count - needle.count) {
        var matched = true
        for offset in 0..<needle.count where Self.lowercased(bytes[start + offset]) != needle[offset] {
          matched = false
          break
        }
        if matched { return true }
      }
      return false
    }
  }

  /// These headers without any whose name is one of `names` (lowercase ASCII), in one pass; the
  /// same storage when none is there.
  func removing(_ names: [StaticString]) -> HTTPHeaders {
    guard contains(where: { Self.isOne(of: names, $0.name) }) else { return self }
    var kept = HTTPHeaders()
    kept.reserveCapacity(count)
    for (name, value) in self where !Self.isOne(of: names, name) { kept.add(name: name, value: value) }
    return kept
  }

  static func isOne(of names: [StaticString], _ name: String) -> Bool {
    var name = name
    return name.withUTF8 { bytes in
      names.contains { candidate in
        guard candidate.utf8CodeUnitCount == bytes.count else { return false }
        let wanted = UnsafeBufferPointer(start: candidate.utf8Start, count: candidate.utf8CodeUnitCount)
        for index in 0..<bytes.count where lowercased(bytes[index]) != wanted[index] { return false }
        return true
      }
    }
  }

  @inline(__always)
  static func lowercased(_ byte: UInt8) -> UInt8 { byte &- 65 < 26 ? byte | 0x20 : byte }
}
