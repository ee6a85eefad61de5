/// One metadata value. Long arrays (a tokenizer's 150,000 tokens) keep their count and only their
/// first elements, so a header costs little memory whatever the file claims.
public indirect enum GGUFValue: Sendable, Equatable {
  case uint(UInt64, type: String)
  case int(Int64, type: String)
  case float(Double, type: String)
  case bool(Bool)
  case string(String)
  case array(elementType: String, count: UInt64, head: [GGUFValue])

  /// How many array elements are kept.
  public static let keptArrayElements = 16

  public var integer: Int64? {
    switch self {
    case .uint(let v, _): v <= UInt64(Int64.max) ? Int64(v) : nil
    case .int(let v, _): v
    default: nil
    }
  }

  public var string: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// A per-layer array (some architectures give head counts per layer) read as its largest value.
  public var integerOrLargestElement: Int64? {
    if case .array(_, _, let head) = self { return head.compactMap(\.integer).max() }
    return integer
  }

  public var typeName: String {
    switch self {
    case .uint(_, let type), .int(_, let type), .float(_, let type): type
    case .bool: "bool"
    case .string: "string"
    case .array(let element, _, _): "array[\(element)]"
    }
  }

  /// A short rendering for tables.
  public var display: String {
    switch self {
    case .uint(let v, _): String(v)
    case .int(let v, _): String(v)
    case .float(let v, _): String(v)
    case .bool(let v): String(v)
    case .string(let s): s.count > 120 ? "\"\(s.prefix(117).replacingNewlines)...\" (\(s.utf8.count) bytes)" : "\"\(s.replacingNewlines)\""
    case .array(let element, let count, let head):
      "[\(head.prefix(6).map(\.display).joined(separator: ", "))\(count > 6 ? ", ..." : "")] (\(count) \(element))"
    }
  }
}

extension StringProtocol {
  var replacingNewlines: String { String(self).split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n") }
}

extension GGUFValue: Encodable {
  /// Scalars as JSON scalars; arrays as `{"element_type", "count", "values"}` where `values` holds
  /// the first `keptArrayElements`.
  public func encode(to encoder: any Encoder) throws {
    switch self {
    case .uint(let v, _):
      var c = encoder.singleValueContainer()
      try c.encode(v)
    case .int(let v, _):
      var c = encoder.singleValueContainer()
      try c.encode(v)
    case .float(let v, _):
      var c = encoder.singleValueContainer()
      if v.isFinite { try c.encode(v) } else { try c.encode(String(v)) }
    case .bool(let v):
      var c = encoder.singleValueContainer()
      try c.encode(v)
    case .string(let s):
      var c = encoder.singleValueContainer()
      try c.encode(s)
    case .array(let element, let count, let head):
      var c = encoder.container(keyedBy: ArrayKeys.self)
      try c.encode(element, forKey: .elementType)
      try c.encode(count, forKey: .count)
      try c.encode(head, forKey: .values)
    }
  }

  enum ArrayKeys: String, CodingKey {
    case elementType = "element_type"
    case count, values
  }
}
