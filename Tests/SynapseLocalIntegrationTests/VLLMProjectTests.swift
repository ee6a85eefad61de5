import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// A vLLM project from nothing, with no manual import: `init --profile vllm-server` on a GPU
/// fixture, `pull` (the project's models, from the fake Hub), `generate`, `up -d` on the vLLM
/// stand-in, which loads the checkpoint folder as vLLM does. The Hub serves the chat model's GGUF
/// repository too, and the safetensors repository carries Meta's second copy of the weights
/// (original/, consolidated.safetensors): only what vLLM loads may be fetched.
@Suite("a vLLM project: pull, generate, up", .tags(.integration), .serialized)
struct VLLMProjectTests {
  static let safetensorsRepository = "meta-llama/Llama-3.1-8B-Instruct"
  static let loaded: Set<String> = [
    "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
    "model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
  ]

  /// The safetensors repository as Meta publishes it, in miniature.
  static func checkpoint(in folder: String) throws {
    try FileManager.default.createDirectory(atPath: folder + "/original", withIntermediateDirectories: true)
    let index =
      #"{"metadata": {"total_size": 24}, "weight_map": {"a.weight": "model-00001-of-00002.safetensors", "b.weight": "model-00002-of-00002.safetensors"}}"#
    let contents: [String: String] = [
      "config.json": #"{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}"#, "generation_config.json": #"{"do_sample": true}"#,
      "tokenizer.json": #"{"version": "1.0"}"#, "tokenizer_config.json": #"{"model_max_length": 131072}"#,
      "special_tokens_map.json": #"{"bos_token": "<|begin_of_text|>"}"#, "model.safetensors.index.json": index,
      "model-00001-of-00002.safetensors": "shard one", "model-00002-of-00002.safetensors": "shard two",
      "original/consolidated.00.pth": "second copy", "original/params.json": #"{"dim": 4096}"#, "original/tokenizer.model": "tok",
      "consolidated.safetensors": "third copy", "README.md": "# Llama", "USE_POLICY.md": "policy", "LICENSE": "licence",
    ]
    for (path, text) in contents { try text.write(toFile: folder + "/" + path, atomically: true, encoding: .utf8) }
  }

  @Test(.timeLimit(.minutes(4)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .postgresBin)))
  func pullGenerateUpFetchesOnlyWhatVLLMLoads() async throws {
    let root = NSTemporaryDirectory() + "vllm-project-\(UUID().uuidString.prefix(8))"
    let project = root + "/synapse"
    let store = root + "/store"
    let python = try TestBed.require(.python)
    try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
    try Self.checkpoint(in: root + "/safetensors")
    let catalog = try Fixtures.catalog()
    let gguf = try #require(try catalog.model(id: "llama-3.1-8b-q5", role: .llm).gguf)
    try FileManager.default.createDirectory(atPath: root + "/gguf", withIntermediateDirectories: true)
    try Data("GGUF not to be fetched".utf8).write(to: URL(fileURLWithPath: root + "/gguf/" + gguf.file))
    let hub = try await FakeHub(
      python: python,
      repositories: [
        Self.safetensorsRepository: root + "/safetensors", gguf.repository: root + "/gguf",
        "sentence-transformers/all-MiniLM-L6-v2": try TestBed.require(.miniLM),
      ])
    let bin = TestBed.path(.postgresBin) ?? ""
    let environment = [
      "HF_ENDPOINT": hub.endpoint, "HF_HUB_CACHE": store, "HF_TOKEN": "", "HF_HOME": root + "/hf-home",
      "SYNAPSE_LOCAL_VLLM": Fixtures.root + "/vllm/vllm", "SYNAPSE_LOCAL_PYTHON": python, "SYNAPSE_LOCAL_PG_BIN": bin,
    ]
    func run(_ arguments: [String]) async throws -> CLIResult {
      try await CLIRunner.run(arguments + ["--project", project], environment: environment)
    }
    defer { try? FileManager.default.removeItem(atPath: root) }
    do {
      // The plan is for a two-GPU server (`detect --json` on its fixture); the stand-in runs here.
      let machine = Fixtures.machine("multi-gpu-server")
      let detected = try await CLIRunner.run(
        ["detect", "--json"], environment: ["SYNAPSE_LOCAL_SYSROOT": machine, "PATH": machine + "/bin:/usr/bin:/bin"])
      try #require(detected.status == 0, "\(detected.stderr)")
      let hardware = root + "/multi-gpu-server.json"
      try detected.stdout.write(toFile: hardware, atomically: true, encoding: .utf8)
      let ports = (0..<4).compactMap { _ in try? Loopback.freePort() }
      let initialized = try await run([
        "init", "--profile", "vllm-server", "--hardware", hardware, "--embedding", "all-minilm-l6-v2", "--llm-port", String(ports[0]),
        "--embedding-port", String(ports[1]), "--db-port", String(ports[2]), "--set", "status.port=\(ports[3])", "--set",
        "backend.enabled=false", "--no-frontend",
      ])
      try #require(initialized.status == 0, "\(initialized.stderr)")
      let configuration = try ProjectFile.load(project: project, environment: [:], files: RootedFileSystem())
      try #require(configuration.engine == .vllm && configuration.llm.model == "llama-3.1-8b-q5")

      // pull with no REF: the project's models, each by its role's rule.
      let pulled = try await run(["pull", "--json"])
      try #require(pulled.status == 0, "\(pulled.stderr)")
      let repository = try HubCache(root: store, files: RootedFileSystem()).repository(RepositoryID(Self.safetensorsRepository))
      let files = Set(try #require(repository.snapshots.first).files.map(\.path))
      #expect(files == Self.loaded, "fetched: \(files.sorted())")
      #expect(!FileManager.default.fileExists(atPath: store + "/" + (try RepositoryID(gguf.repository)).cacheFolderName), "the GGUF")
      // Nothing else was downloaded either: one blob per loaded file, and no CDN request for the
      // second copy of the weights.
      let blobs = try FileManager.default.contentsOfDirectory(atPath: repository.folder + "/blobs")
      #expect(blobs.count == Self.loaded.count, "\(blobs)")
      let consolidated = try Digest.sha256(ofFile: root + "/safetensors/consolidated.safetensors", files: RootedFileSystem())
      #expect(!(try await hub.settledCDNRequests()).contains { ($0["blob"] as? String) == consolidated })
      let lock = try ProjectLock.load(project + "/" + ProjectLock.fileName, files: RootedFileSystem())
      #expect(Set(lock.files.filter { $0.repository == Self.safetensorsRepository }.map(\.path)) == Self.loaded)
      let minilm = Set(lock.files.filter { $0.repository == "sentence-transformers/all-MiniLM-L6-v2" }.map(\.path))
      #expect(minilm.contains("modules.json") && minilm.contains("1_Pooling/config.json") && !minilm.contains("README.md"))

      let generated = try await run(["generate"])
      try #require(generated.status == 0, "\(generated.stderr)")
      let up = try await run(["up", "-d"])
      try #require(up.status == 0, "\(up.stdout)\n\(up.stderr)")
      let argv = try await Loopback.request("http://127.0.0.1:\(ports[0])/standin/argv")
      let arguments = try #require(try JSONSerialization.jsonObject(with: argv.1) as? [String])
      let snapshot = try #require(repository.snapshots.first?.commit)
      #expect(arguments.dropFirst().first == repository.folder + "/snapshots/" + snapshot, "\(arguments)")
    } catch {
      _ = try? await run(["down"])
      await hub.stop()
      throw error
    }
    let down = try await run(["down"])
    #expect(down.status == 0, "\(down.stderr)")
    await hub.stop()
  }
}
