import Foundation
import SynapseLocalSystem

/// Writes a GGUF version 3 file (little-endian, 32-byte aligned tensor data), the format
/// llama.cpp loads: a header, the metadata, the tensors' descriptions, then their bytes.
/// Used for models synapse-local converts itself (``BertGGUFConverter``).
public struct GGUFWriter: Sendable {
  /// A metadata value, with the GGUF type it is written as.
  public enum Value: Sendable, Equatable {
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    case strings([String])
    case int32s([Int32])
  }

  public struct Tensor: Sendable {
    public var name: String
    /// ggml's order: the fastest-varying dimension first (PyTorch's shape reversed).
    public var dimensions: [UInt64]
    public var type: GGMLType
    public var bytes: Data
  }

  public static let alignment = 32
  public private(set) var metadata: [(key: String, value: Value)] = []
  public private(set) var tensors: [Tensor] = []

  public init() {}

  public mutating func set(_ key: String, _ value: Value) {
    metadata.removeAll { $0.key == key }
    metadata.append((key, value))
  }

  public mutating func add(_ tensor: Tensor) { tensors.append(tensor) }

  public func encoded() -> Data {
    var out = Data()
    out.append(contentsOf: Array("GGUF".utf8))
    out.appendLittleEndian(UInt32(3))
    out.appendLittleEndian(UInt64(tensors.count))
    out.appendLittleEndian(UInt64(metadata.count))
    for (key, value) in metadata {
      out.appendGGUFString(key)
      Self.append(value, to: &out)
    }
    var offset: UInt64 = 0
    var offsets: [UInt64] = []
    for tensor in tensors {
      out.appendGGUFString(tensor.name)
      out.appendLittleEndian(UInt32(tensor.dimensions.count))
      for dimension in tensor.dimensions { out.appendLittleEndian(dimension) }
      out.appendLittleEndian(tensor.type.id)
      out.appendLittleEndian(offset)
      offsets.append(offset)
      offset = Self.aligned(offset + UInt64(tensor.bytes.count))
    }
    out.append(Data(count: Int(Self.aligned(UInt64(out.count))) - out.count))
    let start = out.count
    for (tensor, tensorOffset) in zip(tensors, offsets) {
      out.append(Data(count: start + Int(tensorOffset) - out.count))
      out.append(tensor.bytes)
    }
    return out
  }

  static func aligned(_ value: UInt64) -> UInt64 {
    let alignment = UInt64(Self.alignment)
    return (value + alignment - 1) / alignment * alignment
  }

  // GGUF's value type ids: gguf_type in ggml's gguf.h.
  static func append(_ value: Value, to out: inout Data) {
    switch value {
    case .uint32(let v):
      out.appendLittleEndian(UInt32(4))
      out.appendLittleEndian(v)
    case .int32(let v):
      out.appendLittleEndian(UInt32(5))
      out.appendLittleEndian(UInt32(bitPattern: v))
    case .float32(let v):
      out.appendLittleEndian(UInt32(6))
      out.appendLittleEndian(v.bitPattern)
    case .bool(let v):
      out.appendLittleEndian(UInt32(7))
      out.append(v ? 1 : 0)
    case .string(let v):
      out.appendLittleEndian(UInt32(8))
      out.appendGGUFString(v)
    case .strings(let values):
      out.appendLittleEndian(UInt32(9))
      out.appendLittleEndian(UInt32(8))
      out.appendLittleEndian(UInt64(values.count))
      for v in values { out.appendGGUFString(v) }
    case .int32s(let values):
      out.appendLittleEndian(UInt32(9))
      out.appendLittleEndian(UInt32(5))
      out.appendLittleEndian(UInt64(values.count))
      for v in values { out.appendLittleEndian(UInt32(bitPattern: v)) }
    }
  }
}

extension Data {
  mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }

  mutating func appendGGUFString(_ value: String) {
    let bytes = Array(value.utf8)
    appendLittleEndian(UInt64(bytes.count))
    append(contentsOf: bytes)
  }
}
