import Foundation
import SynapseLocalSystem

/// A `.safetensors` file read from memory: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the bytes. Every range and size is
/// checked against the file before a tensor is handed out: the file comes from outside.
public struct SafetensorsFile: Sendable {
  public struct Entry: Sendable, Equatable {
    public var dtype: String
    public var shape: [Int]
    public var range: Range<Int>
  }

  public let entries: [String: Entry]
  let data: Data
  let dataStart: Int

  /// Element sizes of safetensors' dtypes (integers appear too, e.g. BERT's `position_ids`).
  static let elementBytes = [
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
  ]
  /// The dtypes ``floats(_:)`` reads.
  static let floatTypes: Set = ["F32", "F16", "BF16"]

  public init(data: Data, name: String) throws(EmbeddingConversionError) {
    func bad(_ reason: String) -> EmbeddingConversionError { .damaged(file: name, reason: reason) }
    guard data.count >= 8 else { throw bad("it is shorter than its 8-byte header length") }
    let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    guard headerLength <= 100_000_000, Int(headerLength) <= data.count - 8 else {
      throw bad("its header length \(headerLength) does not fit the file's \(data.count) bytes")
    }
    let start = data.startIndex + 8 + Int(headerLength)
    guard let header = try? JSONSerialization.jsonObject(with: data[(data.startIndex + 8)..<start]) as? [String: Any] else {
      throw bad("its header is not a JSON object")
    }
    var entries: [String: Entry] = [:]
    for (tensor, value) in header where tensor != "__metadata__" {
      guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
        let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int], offsets.count == 2
      else { throw bad("tensor \(tensor.debugDescription) has no dtype, shape and data_offsets") }
      guard let size = Self.elementBytes[dtype] else {
        throw bad("tensor \(tensor) has the unknown dtype \(dtype.debugDescription)")
      }
      let count = shape.reduce(1) { product, dimension in
        let (next, overflow) = product.multipliedReportingOverflow(by: max(dimension, 0))
        return overflow || dimension < 0 ? -1 : next
      }
      let (begin, end) = (offsets[0], offsets[1])
      guard count >= 0, begin >= 0, begin <= end, end <= data.count - 8 - Int(headerLength), end - begin == count * size else {
        throw bad("tensor \(tensor) claims bytes \(begin)..<\(end) for shape \(shape) of \(dtype)")
      }
      entries[tensor] = Entry(dtype: dtype, shape: shape, range: begin..<end)
    }
    self.entries = entries
    self.data = data
    self.dataStart = start
  }

  /// The tensor's values as 32-bit floats, in the file's (row-major) order; empty unless the
  /// tensor is one of ``floatTypes``.
  public func floats(_ name: String) -> [Float] {
    guard let entry = entries[name], Self.floatTypes.contains(entry.dtype) else { return [] }
    let bytes = data[(dataStart + entry.range.lowerBound)..<(dataStart + entry.range.upperBound)]
    return bytes.withUnsafeBytes { raw -> [Float] in
      switch entry.dtype {
      case "F32":
        return (0..<(raw.count / 4)).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian) }
      case "F16":
        return (0..<(raw.count / 2)).map {
          Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self).littleEndian))
        }
      default:  // BF16: the high half of a float's bits.
        return (0..<(raw.count / 2)).map {
          Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self).littleEndian) << 16)
        }
      }
    }
  }
}
