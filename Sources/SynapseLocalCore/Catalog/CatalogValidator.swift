import Foundation
import SynapseLocalSystem

/// The checks that decoding alone cannot make: unique ids, role-specific fields, ratings the guide's
/// way, and a source named for a field that exists.
enum CatalogValidator {
  static let sourceablePaths: Set<String> = {
    var paths = Set(CatalogModel.CodingKeys.allCases.map(\.stringValue))
    for nested in ["repository", "file", "revision", "sha256"] { paths.insert("gguf.\(nested)") }
    for nested in ["repository", "size_bytes"] { paths.insert("vllm.\(nested)") }
    for nested in [
      "parameter_count", "layers", "heads", "kv_heads", "head_dim", "max_context", "embedding_parameters", "active_parameters",
    ] {
      paths.insert("shape.\(nested)")
    }
    return paths
  }()

  static func validate(_ catalog: ModelCatalog) throws(CatalogError) {
    let file = catalog.path
    var seen: Set<String> = []
    for model in catalog.models {
      func fail(_ field: String?, _ problem: String) -> CatalogError {
        .invalid(file: file, entry: model.id, field: field, problem: problem)
      }
      guard model.id.range(of: "^[a-z0-9][a-z0-9.-]*$", options: .regularExpression) != nil else {
        throw fail("id", "must be lowercase letters, digits, '.' and '-' (it is typed on command lines)")
      }
      guard seen.insert(model.id).inserted else { throw fail("id", "is used by another entry") }
      guard !model.name.isEmpty else { throw fail("name", "is empty") }
      // Bounds keep every estimate's arithmetic far from overflow.
      let maxBytes: UInt64 = 1 << 50  // 1 PiB
      guard model.sizeBytes > 0, model.sizeBytes <= maxBytes else { throw fail("size_bytes", "must be more than 0 and at most 1 PiB") }
      if let ram = model.ramBytes, ram > maxBytes { throw fail("ram_bytes", "must be at most 1 PiB") }
      if let vllm = model.vllm, vllm.sizeBytes == 0 || vllm.sizeBytes > maxBytes {
        throw fail("vllm.size_bytes", "must be more than 0 and at most 1 PiB")
      }
      guard model.shape.parameterCount <= maxBytes else { throw fail("shape.parameter_count", "is implausibly large") }
      guard model.shape.maxContext <= 1 << 24 else { throw fail("shape.max_context", "is implausibly large (at most 16777216)") }
      for (field, value) in [
        ("shape.layers", model.shape.layers), ("shape.heads", model.shape.heads), ("shape.kv_heads", model.shape.kvHeads),
        ("shape.head_dim", model.shape.headDim), ("dimensions", model.dimensions),
      ] {
        if let value, value > 65_536 { throw fail(field, "is implausibly large (at most 65536)") }
      }
      guard model.quality.allSatisfy({ "★☆".contains($0) }), model.qualityStars > 0 else {
        throw fail("quality", "must be a rating in ★ and ☆, like the guide's ★★★☆")
      }
      guard model.speed.allSatisfy({ "⚡☆".contains($0) }), !model.speed.isEmpty else {
        throw fail("speed", "must be a rating in ⚡ and ☆, like the guide's ⚡⚡☆")
      }
      guard model.shape.maxContext > 0, model.shape.parameterCount > 0 else {
        throw fail("shape", "needs parameter_count and max_context above 0")
      }
      if let source = model.fileSource, source.isEmpty || ControlCharacters.first(in: source) != nil {
        throw fail("file_source", "must be one line of text")
      }
      if let template = model.chatTemplate, !ChatTemplate.isName(template) {
        throw fail("chat_template", "'\(template)' is not a built-in template name (lowercase letters, digits, '.', '-', '_')")
      }
      switch model.role {
      case .llm:
        guard let gguf = model.gguf else { throw fail("gguf", "is missing (every chat model needs a GGUF file for llama.cpp)") }
        guard isRepository(gguf.repository) else { throw fail("gguf.repository", "'\(gguf.repository)' is not ORG/REPO") }
        guard gguf.file.hasSuffix(".gguf") else { throw fail("gguf.file", "'\(gguf.file)' is not a .gguf file") }
        for (field, value) in [
          ("shape.layers", model.shape.layers), ("shape.heads", model.shape.heads), ("shape.kv_heads", model.shape.kvHeads),
          ("shape.head_dim", model.shape.headDim),
        ] {
          guard let value, value > 0 else { throw fail(field, "is missing or not above 0 (memory estimates need it)") }
        }
        if !model.isDemo && model.vllm == nil {
          throw fail("vllm", "is missing (every non-demo chat model names its safetensors repository)")
        }
        if let vllm = model.vllm, !isRepository(vllm.repository) {
          throw fail("vllm.repository", "'\(vllm.repository)' is not ORG/REPO")
        }
      case .embedding:
        guard let repository = model.repository, isRepository(repository) else {
          throw fail("repository", "is missing or not ORG/REPO")
        }
        guard let dimensions = model.dimensions, dimensions > 0 else { throw fail("dimensions", "is missing or not above 0") }
        guard let ram = model.ramBytes, ram > 0 else {
          throw fail("ram_bytes", "is missing or 0 (the recommendation reserves this much for the embedding server)")
        }
      }
      for key in (model.sources ?? [:]).keys.sorted() {
        guard sourceablePaths.contains(key) else { throw fail("sources.\(key)", "names no field of an entry") }
        guard !(model.sources?[key]?.isEmpty ?? true) else { throw fail("sources.\(key)", "is empty; say where the value comes from") }
      }
    }
    guard catalog.headroom.postgresBytes > 0, catalog.headroom.backendBytes > 0 else {
      throw .invalid(file: file, entry: nil, field: "headroom", problem: "postgres_bytes and backend_bytes must be above 0")
    }
  }

  static func isRepository(_ text: String) -> Bool {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && !$0.contains(" ") }
  }
}
