import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@Suite("Model catalog")
struct ModelCatalogTests {
  /// Every model the guide's tables name, with the guide's own figures kept as it states them.
  @Test(
    arguments: [
      ("llama-3.2-3b-q4", "Q4_K_M", "2GB", "4GB", "⚡⚡⚡", "★★★☆"),
      ("llama-3.2-3b-q5", "Q5_K_M", "2.5GB", "6GB", nil, nil),
      ("qwen-2.5-7b-q4", "Q4_K_M", "4.4GB", "8GB", "⚡⚡☆", "★★★★"),
      ("llama-3.1-8b-q4", "Q4_K_M", "4.9GB", "10GB", nil, nil),
      ("llama-3.1-8b-q5", "Q5_K_M", "5.9GB", "10GB", "⚡☆☆", "★★★★★"),
      ("mixtral-8x7b-q4", "Q4_K_M", "26GB", "32GB", "☆☆☆", "★★★★★"),
    ] as [(String, String, String, String, String?, String?)])
  func guideChatModels(id: String, quantization: String, size: String, ram: String, speed: String?, quality: String?) throws {
    let model = try Fixtures.catalog().model(id: id, role: .llm)
    #expect(model.quantization == quantization)
    #expect(model.size == size)
    #expect(model.ram == ram)
    if let speed { #expect(model.speed == speed && model.sources?["speed"] == nil) } else { #expect(model.sources?["speed"] != nil) }
    if let quality {
      #expect(model.quality == quality && model.sources?["quality"] == nil)
    } else {
      #expect(model.sources?["quality"] != nil)
    }
    #expect(model.gguf?.file.contains(quantization) == true)
    #expect(model.vllm != nil)
  }

  @Test(arguments: [
    ("all-minilm-l6-v2", 384, "80MB", "★★★☆", "Fast, general"),
    ("all-mpnet-base-v2", 768, "420MB", "★★★★", "Better quality"),
    ("bge-small-en-v1.5", 384, "120MB", "★★★★", "Retrieval tasks"),
    ("bge-base-en-v1.5", 768, "440MB", "★★★★★", "Best quality"),
  ])
  func guideEmbeddingModels(id: String, dimensions: Int, size: String, quality: String, bestFor: String) throws {
    let model = try Fixtures.catalog().model(id: id, role: .embedding)
    #expect(model.dimensions == dimensions)
    #expect(model.size == size)
    #expect(model.quality == quality)
    #expect(model.bestFor == bestFor)
    // The guide gives no RAM for embedding models: the figure must say where it comes from.
    #expect(model.ramBytes ?? 0 > 0)
    #expect(model.sources?["ram_bytes"]?.isEmpty == false)
  }

  @Test func guideLicencesAreKept() throws {
    let catalog = try Fixtures.catalog()
    let llama = try catalog.model(id: "llama-3.2-3b-q4")
    #expect((llama.license, llama.commercialUse, llama.attribution) == ("Meta License", "With conditions", "Required"))
    let qwen = try catalog.model(id: "qwen-2.5-7b-q4")
    #expect((qwen.license, qwen.commercialUse, qwen.attribution) == ("Apache 2.0", "Yes", "Not required"))
    // The guide has no Llama 3.1 licence row: the value must carry its source.
    #expect(try catalog.model(id: "llama-3.1-8b-q4").sources?["license"] != nil)
  }

  @Test func demoModelsAreMarked() throws {
    let demos = try Fixtures.catalog().models(.llm).filter(\.isDemo).map(\.id)
    #expect(demos.sorted() == ["gemma-3-270m-q4", "smollm2-135m-q4"])
  }

  // MARK: - Malformed catalogs name the file, the entry and the field

  func catalog(replacing old: String, with new: String, in id: String) throws -> String {
    let text = try String(contentsOfFile: Fixtures.repositoryRoot + "/profiles/catalog.yaml", encoding: .utf8)
    let start = try #require(text.range(of: "  - id: \(id)\n"))
    let entryEnd = text.range(of: "\n  - id: ", range: start.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
    let entry = text[start.lowerBound..<entryEnd]
    let range = try #require(entry.range(of: old))
    return text.replacingCharacters(in: range, with: new)
  }

  func problem(_ text: String) -> CatalogError? {
    do {
      _ = try ModelCatalog.parse(text, file: "profiles/catalog.yaml")
      return nil
    } catch {
      return error
    }
  }

  @Test func wrongTypeNamesEntryAndField() throws {
    let text = try catalog(replacing: "layers: 28", with: "layers: many", in: "qwen-2.5-7b-q4")
    guard case .invalid(let file, let entry, let field, _) = problem(text) else {
      Issue.record("no error for a non-numeric layers")
      return
    }
    #expect(file == "profiles/catalog.yaml")
    #expect(entry == "qwen-2.5-7b-q4")
    #expect(field == "shape.layers")
  }

  @Test func missingFieldNamesEntryAndField() throws {
    let text = try catalog(replacing: "    license: MIT\n", with: "", in: "bge-base-en-v1.5")
    guard case .invalid(_, let entry, let field, let message) = problem(text) else {
      Issue.record("no error for a missing licence")
      return
    }
    #expect(entry == "bge-base-en-v1.5")
    #expect(field == "license")
    #expect(message.contains("missing"))
  }

  @Test func semanticProblemsAreNamed() throws {
    let cases: [(String, String, String, String)] = [
      ("quality: ★★★★", "quality: great", "qwen-2.5-7b-q4", "quality"),
      ("dimensions: 384", "dimensions: 0", "all-minilm-l6-v2", "dimensions"),
      ("ram_bytes: 1118848000", "ram_bytes: 0", "all-minilm-l6-v2", "ram_bytes"),
      ("id: bge-small-en-v1.5", "id: all-minilm-l6-v2", "bge-small-en-v1.5", "id"),
      ("repository: BAAI/bge-small-en-v1.5", "repository: bge-small", "bge-small-en-v1.5", "repository"),
      ("file: Qwen2.5-7B-Instruct-Q4_K_M.gguf", "file: Qwen2.5-7B-Instruct-Q4_K_M.bin", "qwen-2.5-7b-q4", "gguf.file"),
      ("      size_bytes: \"Hub file listing", "      weight: \"a guess", "qwen-2.5-7b-q4", "sources.weight"),
    ]
    for (old, new, id, field) in cases {
      let text = try catalog(replacing: old, with: new, in: id)
      guard case .invalid(_, _, let reported, let message) = problem(text) else {
        Issue.record("no error for \(new)")
        continue
      }
      #expect(reported == field, "\(new): reported \(reported ?? "nil"): \(message)")
    }
  }

  @Test func brokenYAMLIsASyntaxError() {
    guard case .syntax(let file, _) = problem("models: [\n  - id: x") else {
      Issue.record("no syntax error")
      return
    }
    #expect(file == "profiles/catalog.yaml")
  }

  @Test func missingCatalogSaysWhichVariableToSet() {
    #expect(throws: CatalogError.missing(path: "/nonexistent/catalog.yaml")) {
      try ModelCatalog.load(from: "/nonexistent/catalog.yaml", files: MemoryFileSystem(roots: ["/nonexistent"]))
    }
    #expect(CatalogError.missing(path: "/x").description.contains("SYNAPSE_LOCAL_PROFILES"))
  }

  /// Issue 35 (friction): `swap llm FILE` of a file whose bytes are a catalog model's takes the
  /// catalog's served name; the file is told by its size, then its SHA-256.
  @Test func aFileWithACatalogModelsBytesIsThatModel() throws {
    let folder = "/models"
    let files = MemoryFileSystem(roots: [folder])
    try files.createDirectory(folder)
    let bytes = GGUFBuilder.tinyLlama().bytes()
    try files.write(Data(bytes), to: folder + "/renamed.gguf", permissions: 0o644)
    try files.write(Data(bytes + [0]), to: folder + "/other.gguf", permissions: 0o644)
    var catalog = try Fixtures.catalog()
    let index = try #require(catalog.models.firstIndex { $0.id == "smollm2-135m-q4" })
    catalog.models[index].gguf?.sha256 = Digest.hex(.sha256, bytes)
    catalog.models[index].sizeBytes = UInt64(bytes.count)
    #expect(catalog.model(holding: folder + "/renamed.gguf", role: .llm, files: files)?.name == "SmolLM2-135M-Instruct")
    #expect(catalog.model(holding: folder + "/renamed.gguf", role: .embedding, files: files) == nil)
    #expect(catalog.model(holding: folder + "/other.gguf", role: .llm, files: files) == nil)
    #expect(catalog.model(holding: folder, role: .llm, files: files) == nil)
  }
}
