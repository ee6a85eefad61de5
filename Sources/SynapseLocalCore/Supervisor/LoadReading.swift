import Foundation
import SynapseLocalSystem

/// How far an engine has got loading its model, from what /proc says of its process: the bytes it
/// has read (`/proc/PID/io`'s `rchar`, or `read_bytes` from the disk) or, for a model it maps
/// rather than reads (llama.cpp's default), the file pages it holds (`RssFile` in
/// `/proc/PID/status`), against the model file's size.
public enum LoadReading {
  /// The most of those figures, in bytes; nil when neither file could be read.
  public static func bytesRead(io: String?, status: String?) -> UInt64? {
    var figures: [UInt64] = []
    if let io {
      for key in ["rchar", "read_bytes"] {
        if let value = field(key, in: io).flatMap(UInt64.init) { figures.append(value) }
      }
    }
    if let status, let kilobytes = field("RssFile", in: status)?.split(separator: " ").first.flatMap({ UInt64($0) }) {
      figures.append(kilobytes * 1024)
    }
    return figures.max()
  }

  /// `loading SmolLM2-135M-Instruct, 41 % of 1.9 GiB`; without a size or a reading, what is known.
  /// Never 100 % before the engine answers: what is read is not yet what is ready.
  public static func line(model: String, read: UInt64?, size: UInt64?) -> String {
    guard let size, size > 0 else { return "loading \(model)" }
    guard let read else { return "loading \(model) (\(ByteCount.format(size)))" }
    let percent = min(99, Int(Double(read) / Double(size) * 100))
    return "loading \(model), \(percent) % of \(ByteCount.format(size))"
  }

  /// The value of `key: value` (or `key:\tvalue`) on its own line.
  static func field(_ key: String, in text: String) -> String? {
    for line in text.split(separator: "\n") {
      guard line.hasPrefix(key + ":") else { continue }
      return line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
    }
    return nil
  }
}
