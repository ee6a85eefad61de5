import CMemoryScan
import Foundation
import SynapseLocalSystem

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Measures memory read bandwidth the way token generation reads weights: every byte of a buffer
/// larger than the last-level cache, streamed by 1…N threads. The scan is libc's `memchr` for a
/// byte the buffer does not hold, which is vectorized whatever this program was built with. Both
/// the fill and the scan live in C behind compiler barriers: a zero fill may become calloc (every
/// page then reads one shared zero page from cache), and a pure scan of an unchanged buffer may
/// be done once for all passes; either made a 2-core VM report 11 TB/s.
public enum BandwidthProbe {
  /// Four times the last-level cache, at least 256 MiB and at most 1 GiB.
  public static func bufferBytes(lastLevelCache: UInt64?) -> Int {
    let wanted = (lastLevelCache ?? 0) * 4
    return Int(min(max(wanted, 256 * ByteCount.mebibyte), ByteCount.gibibyte))
  }

  /// The largest cache the CPU reports, from /sys (`index*/size`, e.g. "32768K").
  public static func lastLevelCache(system: any FileSystem) -> UInt64? {
    let folder = "/sys/devices/system/cpu/cpu0/cache"
    let sizes = (system.list(folder) ?? []).filter { $0.hasPrefix("index") }.compactMap { index -> UInt64? in
      guard let text = system.readText("\(folder)/\(index)/size")?.trimmingCharacters(in: .whitespacesAndNewlines),
        let number = UInt64(text.filter(\.isNumber))
      else { return nil }
      return text.hasSuffix("M") ? number * ByteCount.mebibyte : text.hasSuffix("K") ? number * 1024 : number
    }
    return sizes.max()
  }

  /// The thread counts worth measuring: each up to 8, then doublings, and the effective cores.
  public static func threadCounts(cores: Int) -> [Int] {
    var counts = Array(1...min(max(1, cores), 8))
    var next = 16
    while next < cores {
      counts.append(next)
      next *= 2
    }
    if !counts.contains(cores) { counts.append(cores) }
    return counts
  }

  /// Bytes per second for each thread count: the best of three timed scans, each long enough
  /// (about `seconds`) to swamp the threads' start.
  public static func measure(threadCounts: [Int], bufferBytes: Int, seconds: Double = 0.2) -> [Calibration.Bandwidth] {
    guard let buffer = malloc(bufferBytes) else { return [] }
    defer { free(buffer) }
    // Every page written with a byte that is not the one looked for, so each maps its own memory.
    sl_fill_memory(buffer, bufferBytes, fillByte)
    let base = UnsafeRawPointer(buffer)
    return threadCounts.map { threads in
      let passes = passesFor(seconds: seconds, base: base, bytes: bufferBytes, threads: threads)
      let best = (0..<3).map { _ in scan(base: base, bytes: bufferBytes, threads: threads, passes: passes) }.min() ?? 1
      return Calibration.Bandwidth(threads: threads, bytesPerSecond: Double(bufferBytes) * Double(passes) / best)
    }
  }

  static let fillByte: UInt8 = 0xA5
  static let absentByte: UInt8 = 0x01

  static func passesFor(seconds: Double, base: UnsafeRawPointer, bytes: Int, threads: Int) -> Int {
    let one = scan(base: base, bytes: bytes, threads: threads, passes: 1)
    return max(1, min(64, Int((seconds / max(one, 1e-6)).rounded(.up))))
  }

  /// Seconds for `threads` threads to read their slices `passes` times.
  static func scan(base: UnsafeRawPointer, bytes: Int, threads: Int, passes: Int) -> Double {
    let slice = bytes / threads
    // An address, not a pointer, crosses into the worker closures.
    let address = UInt(bitPattern: base)
    let start = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: threads) { index in
      guard let from = UnsafeRawPointer(bitPattern: address + UInt(index * slice)) else { return }
      let found = sl_scan_memory(from, slice, absentByte, Int32(passes))
      // The buffer holds no such byte, so `found` stays 0; using it keeps the call.
      if found > 0 { print("", terminator: "") }
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }
}
