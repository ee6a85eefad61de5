import Foundation
import SynapseLocalSystem

/// Reads a GGUF header (versions 2 and 3) without touching tensor data. Every count and length from
/// the file is checked against what the file could hold before it sizes anything.
public enum GGUFReader {
  static let magic: UInt32 = 0x4655_4747  // "GGUF" little-endian
  static let maxDimensions: UInt32 = 4  // GGML_MAX_DIMS
  static let minimumKeyValueBytes: UInt64 = 8 + 4 + 1
  static let minimumTensorInfoBytes: UInt64 = 8 + 4 + 8 + 4 + 8

  public static func read(path: String, files: any FileSystem) throws(GGUFError) -> GGUFFile {
    try read(files.byteSource(path))
  }

  public static func read(_ source: any GGUFByteSource) throws(GGUFError) -> GGUFFile {
    var cursor = GGUFCursor(source: source)
    if source.size < 8 {
      let first = (try? source.read(at: 0, count: 4)) ?? []
      if first == Array("GGUF".utf8) { throw .truncated(needed: 8, size: source.size, while: "the version") }
      throw .notGGUF(magic: describeMagic(first, available: min(4, source.size)))
    }
    let head = try cursor.integer(UInt32.self, "the magic number")
    guard head == magic else {
      throw .notGGUF(magic: describeMagic((0..<4).map { UInt8(truncatingIfNeeded: head >> (8 * $0)) }, available: 4))
    }
    let version = try cursor.u32("the version")
    if version.byteSwapped == 2 || version.byteSwapped == 3 { throw .bigEndian }
    guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }

    let tensorCount = try cursor.u64("the tensor count")
    let keyValueCount = try cursor.u64("the metadata count")
    try checkCount(keyValueCount, of: minimumKeyValueBytes, "metadata entries", cursor: cursor, offset: 16)
    try checkCount(tensorCount, of: minimumTensorInfoBytes, "tensors", cursor: cursor, offset: 8)

    var metadata: [(key: String, value: GGUFValue)] = []
    // Counts passed the checks above but still come from the file: reserve no more than a real
    // model needs, and let a larger (damaged) count fail on the bytes it lacks.
    metadata.reserveCapacity(Int(min(keyValueCount, 4096)))
    for index in 0..<keyValueCount {
      let key = try cursor.string("metadata key \(index)", limit: 65_536)
      let type = try cursor.u32("the type of \(key)")
      let value = try readValue(&cursor, type: type, key: key, depth: 0)
      metadata.append((key, value))
    }

    var alignment: UInt64 = 32
    if let value = metadata.first(where: { $0.key == "general.alignment" })?.value {
      guard let a = value.integer, a > 0, a & (a - 1) == 0, a <= 1 << 20 else {
        throw .implausible("general.alignment \(value.display) is not a power of two up to 1 MiB", offset: cursor.offset)
      }
      alignment = UInt64(a)
    }

    var tensors: [GGUFFile.Tensor] = []
    tensors.reserveCapacity(Int(min(tensorCount, 4096)))
    for index in 0..<tensorCount {
      tensors.append(try readTensorInfo(&cursor, index: index, alignment: alignment))
    }

    let headerEnd = cursor.offset
    let dataOffset = (headerEnd + alignment - 1) / alignment * alignment
    // Each tensor must end inside the file, and together they cannot hold more bytes than the
    // data section has (so the totals below cannot overflow).
    let dataBytes = source.size > dataOffset ? source.size - dataOffset : 0
    var totalBytes: UInt64 = 0
    var totalElements: UInt64 = 0
    for tensor in tensors {
      let (end, endOverflow) = tensor.offset.addingReportingOverflow(tensor.byteCount)
      guard !endOverflow, end <= UInt64.max - dataOffset else {
        throw .implausible("tensor \(tensor.name) ends past any file", offset: headerEnd)
      }
      guard dataOffset + end <= source.size else {
        throw .truncated(needed: dataOffset + end, size: source.size, while: "the data of tensor \(tensor.name)")
      }
      let (sum, sumOverflow) = totalBytes.addingReportingOverflow(tensor.byteCount)
      guard !sumOverflow else {
        throw .implausible("the tensors hold more bytes than any file", offset: headerEnd)
      }
      totalBytes = sum
      totalElements = totalElements.addingReportingOverflow(tensor.elementCount).partialValue
      guard totalBytes <= dataBytes else {
        throw .implausible("the tensors hold more bytes (\(totalBytes)) than the file's data section (\(dataBytes))", offset: headerEnd)
      }
    }
    return GGUFFile(
      version: version, metadata: metadata, tensors: tensors, alignment: alignment,
      dataOffset: dataOffset, fileSize: source.size, tensorBytes: totalBytes, parameterCount: totalElements)
  }

  /// Beyond any real model (a few hundred thousand tokens or tensors) a count is damage; below
  /// that, a count the rest of the file cannot hold means the file was cut short.
  static let largestPlausibleCount: UInt64 = 1 << 32

  static func checkCount(_ count: UInt64, of minimumBytes: UInt64, _ what: String, cursor: GGUFCursor, offset: UInt64) throws(GGUFError) {
    guard count <= largestPlausibleCount else {
      throw .implausible("\(count) \(what)", offset: offset)
    }
    guard count <= cursor.remaining / minimumBytes else {
      throw .truncated(needed: cursor.offset + count * minimumBytes, size: cursor.source.size, while: "the \(count) \(what)")
    }
  }

  static func readValue(_ cursor: inout GGUFCursor, type: UInt32, key: String, depth: Int) throws(GGUFError) -> GGUFValue {
    let context = "the value of \(key)"
    switch type {
    case 0: return .uint(UInt64(try cursor.integer(UInt8.self, context)), type: "uint8")
    case 1: return .int(Int64(try cursor.integer(Int8.self, context)), type: "int8")
    case 2: return .uint(UInt64(try cursor.integer(UInt16.self, context)), type: "uint16")
    case 3: return .int(Int64(try cursor.integer(Int16.self, context)), type: "int16")
    case 4: return .uint(UInt64(try cursor.u32(context)), type: "uint32")
    case 5: return .int(Int64(try cursor.integer(Int32.self, context)), type: "int32")
    case 6: return .float(Double(Float(bitPattern: try cursor.u32(context))), type: "float32")
    case 7:
      let byte = try cursor.integer(UInt8.self, context)
      guard byte <= 1 else { throw .implausible("bool value \(byte) for \(key)", offset: cursor.offset - 1) }
      return .bool(byte == 1)
    case 8: return .string(try cursor.string(context))
    case 9: return try readArray(&cursor, key: key, depth: depth)
    case 10: return .uint(try cursor.u64(context), type: "uint64")
    case 11: return .int(try cursor.integer(Int64.self, context), type: "int64")
    case 12: return .float(Double(bitPattern: try cursor.u64(context)), type: "float64")
    default: throw .implausible("unknown value type \(type) for \(key)", offset: cursor.offset - 4)
    }
  }

  static let fixedSizes: [UInt32: (size: UInt64, name: String)] = [
    0: (1, "uint8"), 1: (1, "int8"), 2: (2, "uint16"), 3: (2, "int16"), 4: (4, "uint32"), 5: (4, "int32"),
    6: (4, "float32"), 7: (1, "bool"), 10: (8, "uint64"), 11: (8, "int64"), 12: (8, "float64"),
  ]

  static func readArray(_ cursor: inout GGUFCursor, key: String, depth: Int) throws(GGUFError) -> GGUFValue {
    let start = cursor.offset
    guard depth < 4 else { throw .implausible("arrays nested more than 4 deep in \(key)", offset: start) }
    let elementType = try cursor.u32("the array type of \(key)")
    let count = try cursor.u64("the array length of \(key)")
    let minimumElementBytes: UInt64 = fixedSizes[elementType]?.size ?? (elementType == 8 ? 8 : 12)
    guard elementType <= 12 else { throw .implausible("unknown array element type \(elementType) in \(key)", offset: start) }
    try checkCount(count, of: minimumElementBytes, "elements in \(key)", cursor: cursor, offset: start)
    let kept = Int(min(count, UInt64(GGUFValue.keptArrayElements)))
    var head: [GGUFValue] = []
    head.reserveCapacity(kept)
    for _ in 0..<kept {
      head.append(try readValue(&cursor, type: elementType, key: key, depth: depth + 1))
    }
    let rest = count - UInt64(kept)
    if let fixed = fixedSizes[elementType] {
      try cursor.skip(rest * fixed.size, "the elements of \(key)")
    } else {
      for _ in 0..<rest { _ = try readValue(&cursor, type: elementType, key: key, depth: depth + 1) }
    }
    let name = fixedSizes[elementType]?.name ?? (elementType == 8 ? "string" : "array")
    return .array(elementType: name, count: count, head: head)
  }

  static func readTensorInfo(_ cursor: inout GGUFCursor, index: UInt64, alignment: UInt64) throws(GGUFError) -> GGUFFile.Tensor {
    let start = cursor.offset
    let name = try cursor.string("the name of tensor \(index)", limit: 65_536)
    let dimensionCount = try cursor.u32("the dimensions of \(name)")
    guard (1...maxDimensions).contains(dimensionCount) else {
      throw .implausible("tensor \(name) has \(dimensionCount) dimensions (at most \(maxDimensions))", offset: start)
    }
    var dimensions: [UInt64] = []
    var elements: UInt64 = 1
    for _ in 0..<dimensionCount {
      let d = try cursor.u64("the shape of \(name)")
      let (product, overflow) = elements.multipliedReportingOverflow(by: d)
      guard !overflow, product <= UInt64(Int64.max) else {
        throw .implausible("tensor \(name) has more elements than any file could hold", offset: start)
      }
      dimensions.append(d)
      elements = product
    }
    let typeID = try cursor.u32("the type of \(name)")
    guard let type = GGMLType.named(typeID) else {
      throw .implausible("tensor \(name) has unknown type \(typeID) (a newer GGUF than this reader knows?)", offset: start)
    }
    let offset = try cursor.u64("the offset of \(name)")
    guard dimensions[0] % type.blockSize == 0 else {
      throw .implausible(
        "tensor \(name): row of \(dimensions[0]) is not a multiple of the \(type.name) block size \(type.blockSize)", offset: start)
    }
    guard offset % alignment == 0 else {
      throw .implausible("tensor \(name) starts at \(offset), not a multiple of the alignment \(alignment)", offset: start)
    }
    let (bytes, overflow) = (elements / type.blockSize).multipliedReportingOverflow(by: type.typeSize)
    guard !overflow else { throw .implausible("tensor \(name) is larger than any file", offset: start) }
    return GGUFFile.Tensor(
      name: name, dimensions: dimensions, type: type, offset: offset, elementCount: elements, byteCount: bytes)
  }

  static func describeMagic(_ first: [UInt8], available: UInt64) -> String {
    let bytes = first.prefix(Int(available))
    if bytes.isEmpty { return "nothing (the file is empty)" }
    if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return "\"\(String(decoding: bytes, as: UTF8.self))\"" }
    return bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
  }
}
