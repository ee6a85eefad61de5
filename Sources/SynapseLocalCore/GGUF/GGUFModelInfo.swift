/// The shape of a model as its GGUF header states it: what `inspect` prints and what memory
/// estimates use when the file is at hand.
public struct GGUFModelInfo: Sendable, Encodable {
  public var path: String
  public var version: UInt32
  public var fileSizeBytes: UInt64
  public var architecture: String?
  public var name: String?
  public var blockCount: Int64?
  public var contextLength: Int64?
  public var embeddingLength: Int64?
  public var headCount: Int64?
  public var headCountKV: Int64?
  /// The size of one attention head (`attention.key_length`, else embedding / heads).
  public var headDimension: Int64?
  public var expertCount: Int64?
  /// Experts each token is routed to (`expert_used_count`).
  public var expertUsedCount: Int64?
  /// Elements of the routed experts' tensors (`*_exps`): a token uses only its experts' share.
  public var expertParameterCount: UInt64
  public var fileType: String
  public var tensorCount: Int
  public var tensorBytes: UInt64
  public var parameterCount: UInt64
  /// Elements of the token-embedding table (`token_embd.weight`): looked up, not multiplied through.
  public var embeddingParameterCount: UInt64
  public var tensorTypes: [String: Int]
  public var metadata: [(key: String, value: GGUFValue)]

  public init(file: GGUFFile, path: String) {
    self.path = path
    version = file.version
    fileSizeBytes = file.fileSize
    let arch = file["general.architecture"]?.string
    architecture = arch
    name = file["general.name"]?.string
    let archKey = { (suffix: String) -> Int64? in
      arch.flatMap { file["\($0).\(suffix)"]?.integerOrLargestElement }
    }
    blockCount = archKey("block_count")
    contextLength = archKey("context_length")
    embeddingLength = archKey("embedding_length")
    headCount = archKey("attention.head_count")
    headCountKV = archKey("attention.head_count_kv") ?? headCount
    let heads = headCount
    headDimension =
      archKey("attention.key_length")
      ?? embeddingLength.flatMap { e in heads.flatMap { $0 > 0 ? e / $0 : nil } }
    expertCount = archKey("expert_count")
    expertUsedCount = archKey("expert_used_count")
    expertParameterCount = file.tensors.filter { $0.name.contains("_exps") }.reduce(0) { $0 + $1.elementCount }
    if let type = file["general.file_type"]?.integer, type >= 0, type <= Int64(UInt32.max) {
      fileType = GGUFFileType.name(UInt32(type))
    } else {
      // Sums are safe: the reader checked that all tensors together fit in the file.
      let predominant = Dictionary(grouping: file.tensors, by: \.type.name)
        .max { $0.value.reduce(0) { $0 + $1.byteCount } < $1.value.reduce(0) { $0 + $1.byteCount } }
      fileType = predominant.map { "unknown (mostly \($0.key))" } ?? "unknown"
    }
    tensorCount = file.tensors.count
    tensorBytes = file.tensorBytes
    parameterCount = file.parameterCount
    embeddingParameterCount = file.tensors.first { $0.name == "token_embd.weight" }?.elementCount ?? 0
    tensorTypes = Dictionary(grouping: file.tensors, by: \.type.name).mapValues(\.count)
    metadata = file.metadata
  }

  enum CodingKeys: String, CodingKey {
    case path, version, architecture, name, metadata
    case fileSizeBytes = "file_size_bytes"
    case blockCount = "block_count"
    case contextLength = "context_length"
    case embeddingLength = "embedding_length"
    case headCount = "head_count"
    case headCountKV = "head_count_kv"
    case headDimension = "head_dimension"
    case expertCount = "expert_count"
    case fileType = "file_type"
    case tensorCount = "tensor_count"
    case tensorBytes = "tensor_bytes"
    case parameterCount = "parameter_count"
    case tensorTypes = "tensor_types"
  }

  struct MetadataKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(path, forKey: .path)
    try c.encode(version, forKey: .version)
    try c.encode(fileSizeBytes, forKey: .fileSizeBytes)
    try c.encode(architecture, forKey: .architecture)
    try c.encode(name, forKey: .name)
    try c.encode(blockCount, forKey: .blockCount)
    try c.encode(contextLength, forKey: .contextLength)
    try c.encode(embeddingLength, forKey: .embeddingLength)
    try c.encode(headCount, forKey: .headCount)
    try c.encode(headCountKV, forKey: .headCountKV)
    try c.encode(headDimension, forKey: .headDimension)
    try c.encode(expertCount, forKey: .expertCount)
    try c.encode(fileType, forKey: .fileType)
    try c.encode(tensorCount, forKey: .tensorCount)
    try c.encode(tensorBytes, forKey: .tensorBytes)
    try c.encode(parameterCount, forKey: .parameterCount)
    try c.encode(tensorTypes, forKey: .tensorTypes)
    var meta = c.nestedContainer(keyedBy: MetadataKey.self, forKey: .metadata)
    for (key, value) in metadata { try meta.encode(value, forKey: MetadataKey(stringValue: key)) }
  }
}
