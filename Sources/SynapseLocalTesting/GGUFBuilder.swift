/// Writes small GGUF files byte by byte, so tests can make valid ones and damage them precisely.
public struct GGUFBuilder {
  public enum Value {
    case u32(UInt32)
    case string(String)
    case stringArray([String])
    case u32Array([UInt32])
  }

  public struct Tensor {
    public var name: String
    public var dimensions: [UInt64]
    public var type: UInt32
    public var byteCount: Int

    public init(name: String, dimensions: [UInt64], type: UInt32, byteCount: Int) {
      self.name = name
      self.dimensions = dimensions
      self.type = type
      self.byteCount = byteCount
    }
  }

  public var version: UInt32 = 3
  public var metadata: [(String, Value)] = []
  public var tensors: [Tensor] = []

  public init() {}

  /// A small llama-shaped model: two F32 tensors, the keys `inspect` reports.
  public static func tinyLlama() -> GGUFBuilder {
    var builder = GGUFBuilder()
    builder.metadata = [
      ("general.architecture", .string("llama")), ("general.name", .string("Tiny Test")),
      ("llama.block_count", .u32(2)), ("llama.context_length", .u32(2048)),
      ("llama.embedding_length", .u32(64)), ("llama.attention.head_count", .u32(4)),
      ("llama.attention.head_count_kv", .u32(2)), ("general.file_type", .u32(0)),
      ("tokenizer.ggml.tokens", .stringArray((0..<40).map { "tok\($0)" })),
    ]
    builder.tensors = [
      Tensor(name: "token_embd.weight", dimensions: [64, 8], type: 0, byteCount: 64 * 8 * 4),
      Tensor(name: "output_norm.weight", dimensions: [64], type: 0, byteCount: 64 * 4),
    ]
    return builder
  }

  public func bytes() -> [UInt8] {
    var out: [UInt8] = Array("GGUF".utf8)
    out += le(version)
    out += le(UInt64(tensors.count))
    out += le(UInt64(metadata.count))
    for (key, value) in metadata {
      out += string(key)
      switch value {
      case .u32(let v): out += le(UInt32(4)) + le(v)
      case .string(let s): out += le(UInt32(8)) + string(s)
      case .stringArray(let items): out += le(UInt32(9)) + le(UInt32(8)) + le(UInt64(items.count)) + items.flatMap(string)
      case .u32Array(let items): out += le(UInt32(9)) + le(UInt32(4)) + le(UInt64(items.count)) + items.flatMap(le)
      }
    }
    var offset: UInt64 = 0
    for tensor in tensors {
      out += string(tensor.name) + le(UInt32(tensor.dimensions.count)) + tensor.dimensions.flatMap(le)
      out += le(tensor.type) + le(offset)
      offset += UInt64((tensor.byteCount + 31) / 32 * 32)
    }
    while out.count % 32 != 0 { out.append(0) }
    for tensor in tensors {
      out += [UInt8](repeating: 0x11, count: (tensor.byteCount + 31) / 32 * 32)
    }
    return out
  }

  public func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
  }

  func string(_ s: String) -> [UInt8] {
    le(UInt64(s.utf8.count)) + Array(s.utf8)
  }
}
