/// One catalog entry. Text fields from the guide are kept as the guide states them; the numbers the
/// tool computes with (`size_bytes`, `ram_bytes`, `shape`) sit beside them, each with its source.
public struct CatalogModel: Codable, Sendable, Equatable {
  public struct GGUFSource: Codable, Sendable, Equatable {
    public var repository: String
    public var file: String
    public var revision: String?
    public var sha256: String?
  }

  public struct VLLMSource: Codable, Sendable, Equatable {
    public var repository: String
    /// The 16-bit safetensors weights, what vLLM loads into VRAM.
    public var sizeBytes: UInt64

    enum CodingKeys: String, CodingKey {
      case repository
      case sizeBytes = "size_bytes"
    }
  }

  /// What memory estimates need.
  public struct Shape: Codable, Sendable, Equatable {
    public var parameterCount: UInt64
    public var layers: Int?
    public var heads: Int?
    public var kvHeads: Int?
    public var headDim: Int?
    public var maxContext: Int
    /// The token-embedding table (vocabulary × hidden size): looked up per token, not multiplied
    /// through, so prompt-speed estimates leave it out.
    public var embeddingParameters: UInt64?
    /// A mixture of experts' parameters one token uses (its routed experts and the shared layers);
    /// nil for a dense model, which uses them all.
    public var activeParameters: UInt64?

    enum CodingKeys: String, CodingKey {
      case layers, heads
      case embeddingParameters = "embedding_parameters"
      case activeParameters = "active_parameters"
      case parameterCount = "parameter_count"
      case kvHeads = "kv_heads"
      case headDim = "head_dim"
      case maxContext = "max_context"
    }
  }

  public var id: String
  public var role: ModelRole
  public var demo: Bool?
  /// What `LOCAL_LLM_MODEL` / `LOCAL_EMBEDDING_MODEL` hold and `/v1/models` lists.
  public var name: String
  public var title: String
  public var parameters: String?
  public var quantization: String?
  public var gguf: GGUFSource?
  /// llama-server's built-in chat template the GGUF needs because it carries none.
  public var chatTemplate: String?
  /// A demo model's file: where a user gets it, since it is imported, not pulled.
  public var fileSource: String?
  public var vllm: VLLMSource?
  /// The Hugging Face repository of an embedding model.
  public var repository: String?
  /// An embedding model's architecture (config.json's `model_type`): `bert` converts to a GGUF
  /// that llama.cpp serves.
  public var architecture: String?
  public var dimensions: Int?
  public var size: String?
  public var sizeBytes: UInt64
  public var ram: String?
  /// Resident memory of the embedding server with this model (embedding models only).
  public var ramBytes: UInt64?
  public var speed: String
  public var quality: String
  public var useCase: String?
  public var bestFor: String?
  public var code: Bool?
  public var license: String
  public var commercialUse: String
  public var attribution: String
  public var shape: Shape
  /// Field path → where its value comes from, for every value not taken from the guide.
  public var sources: [String: String]?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case id, role, demo, name, title, parameters, quantization, gguf, vllm, repository, architecture, dimensions, size
    case ram, speed, quality, code, license, attribution, shape, sources
    case sizeBytes = "size_bytes"
    case ramBytes = "ram_bytes"
    case useCase = "use_case"
    case bestFor = "best_for"
    case commercialUse = "commercial_use"
    case chatTemplate = "chat_template"
    case fileSource = "file_source"
  }

  public var isDemo: Bool { demo ?? false }
  /// Whether ``BertGGUFConverter`` makes a GGUF of it for llama.cpp's embedding server.
  public var convertsToGGUF: Bool { role == .embedding && architecture == "bert" }
  public var isCodeModel: Bool { code ?? false }
  /// Filled stars of the guide's quality rating (★★★☆ is 3).
  public var qualityStars: Int { quality.filter { $0 == "★" }.count }
  /// Filled bolts of the guide's speed rating (⚡⚡☆ is 2).
  public var speedRating: Int { speed.filter { $0 == "⚡" }.count }
  /// Bits per weight of the quantization (Q5_K_M is 5, F16 and BF16 16), for ordering Q5 above
  /// Q4 of the same model; unquantized when there is none.
  public var quantizationBits: Int {
    guard let q = quantization else { return 16 }
    let digits = q.drop { !$0.isNumber }.prefix { $0.isNumber }
    return Int(digits) ?? 16
  }

  /// The title for what an engine serves: vLLM loads the 16-bit original, not the GGUF quantization.
  public func title(for engine: Engine) -> String {
    guard engine == .vllm, role == .llm else { return title }
    var base = title
    if let quantization, base.hasSuffix(" " + quantization) { base.removeLast(quantization.count + 1) }
    return base + " (16-bit)"
  }

  /// The Hub repository a user would pull for `engine`.
  public func repository(for engine: Engine) -> String? {
    switch (role, engine) {
    case (.embedding, _): repository
    case (.llm, .llamaCpp): gguf?.repository
    case (.llm, .vllm): vllm?.repository
    }
  }
}
