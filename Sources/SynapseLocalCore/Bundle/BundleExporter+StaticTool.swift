import Foundation
import SynapseLocalSystem

/// The check that a bundle's tool carries its Swift runtime, so it runs on a host without Swift.
extension BundleExporter {
  /// Whether a binary carries its Swift runtime (no libswiftCore.so to load).
  /// Scanned with memchr in one buffer, the end of each block carried to the next: the generic
  /// search over copied arrays took longer than compressing the binary.
  static func isStatic(_ binary: String, files: any FileSystem) -> Bool {
    guard let handle = try? files.open(binary, .read) else { return false }
    defer { handle.close() }
    let needle = Array("libswiftCore.so".utf8)
    let block = 1 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: block + needle.count, alignment: 16)
    defer { buffer.deallocate() }
    var carried = 0
    while let got = try? handle.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[carried..<(carried + block)])), got > 0 {
      let end = carried + got
      if contains(needle, in: UnsafeRawBufferPointer(rebasing: buffer[0..<end])) { return false }
      carried = min(needle.count - 1, end)
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[(end - carried)..<end]))
    }
    return true
  }

  static func contains(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Bool {
    guard let base = bytes.baseAddress, bytes.count >= needle.count, let first = needle.first else { return false }
    var start = 0
    let last = bytes.count - needle.count
    while start <= last, let hit = memchr(base + start, Int32(first), last - start + 1) {
      let offset = base.distance(to: UnsafeRawPointer(hit))
      if memcmp(hit, needle, needle.count) == 0 { return true }
      start = offset + 1
    }
    return false
  }
}
