import Foundation
import NIOCore

/// The last few kilobytes of an engine's answer, kept by reference as they pass (no copy), for the
/// figures the engine writes at its end: `usage` (OpenAI's token counts) and llama-server's
/// `timings`, in a whole JSON answer or in a stream's last event.
struct AnswerTail {
  /// Enough for the last event of a stream and its `timings`, which llama-server writes last.
  static let limit = 8 << 10

  private var buffers: [ByteBuffer] = []
  private var bytes = 0

  mutating func append(_ buffer: ByteBuffer) {
    buffers.append(buffer)
    bytes += buffer.readableBytes
    while let first = buffers.first, buffers.count > 1, bytes - first.readableBytes >= Self.limit {
      bytes -= first.readableBytes
      buffers.removeFirst()
    }
  }

  /// What the tail says of the answer's tokens and the engine's timings.
  var usage: AnswerUsage {
    var text: [UInt8] = []
    text.reserveCapacity(bytes)
    for buffer in buffers { text.append(contentsOf: buffer.readableBytesView) }
    return AnswerUsage(tail: text)
  }
}

/// The token counts and timings an engine reported at the end of one answer.
struct AnswerUsage: Equatable {
  var inputTokens: Int?
  var outputTokens: Int?
  /// llama-server's decoding time for `outputTokens`, in seconds (its `timings.predicted_ms`).
  var decodingSeconds: Double?

  init(inputTokens: Int? = nil, outputTokens: Int? = nil, decodingSeconds: Double? = nil) {
    self.inputTokens = inputTokens
    self.outputTokens = outputTokens
    self.decodingSeconds = decodingSeconds
  }

  /// Reads the last `"usage"` and `"timings"` objects in `tail`; what is missing stays nil.
  init(tail: [UInt8]) {
    let usage = Self.lastObject(named: "usage", in: tail)
    let timings = Self.lastObject(named: "timings", in: tail)
    let prompt = (timings?["prompt_n"] as? NSNumber)?.intValue
    let cached = (timings?["cache_n"] as? NSNumber)?.intValue ?? 0
    inputTokens = (usage?["prompt_tokens"] as? NSNumber)?.intValue ?? prompt.map { $0 + cached }
    outputTokens =
      (usage?["completion_tokens"] as? NSNumber)?.intValue ?? (usage?["output_tokens"] as? NSNumber)?.intValue
      ?? (timings?["predicted_n"] as? NSNumber)?.intValue
    decodingSeconds = (timings?["predicted_ms"] as? NSNumber).map { $0.doubleValue / 1000 }
  }

  /// The JSON object after the last `"name":` in `bytes`, found by matching braces outside strings.
  static func lastObject(named name: String, in bytes: [UInt8]) -> [String: Any]? {
    let key = Array("\"\(name)\":".utf8)
    guard bytes.count >= key.count else { return nil }
    var start = bytes.count - key.count
    while start >= 0 {
      if bytes[start] == key[0] && Array(bytes[start..<start + key.count]) == key { break }
      start -= 1
    }
    guard start >= 0 else { return nil }
    var index = start + key.count
    while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
    guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
    var depth = 0
    var inString = false
    var escaped = false
    for end in index..<bytes.count {
      let byte = bytes[end]
      if inString {
        if escaped {
          escaped = false
        } else if byte == UInt8(ascii: "\\") {
          escaped = true
        } else if byte == UInt8(ascii: "\"") {
          inString = false
        }
        continue
      }
      switch byte {
      case UInt8(ascii: "\""): inString = true
      case UInt8(ascii: "{"): depth += 1
      case UInt8(ascii: "}"):
        depth -= 1
        if depth == 0 {
          return try? JSONSerialization.jsonObject(with: Data(bytes[index...end])) as? [String: Any]
        }
      default: break
      }
    }
    return nil
  }
}
