import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `init` then `generate` per profile, on fixture machines: golden files, the Compose schema and
/// the rules the schema cannot express, and `.env` as python-dotenv reads it.
@Suite("init and generate", .serialized)
struct ProjectGenerationTests {
  /// A golden folder: the profile, extra flags, the fixture machine it is planned for, and what
  /// the plan must come to.
  static let cases: [(name: String, profile: String, flags: [String], machine: String, engine: String, gpu: Bool)] = [
    ("cpu-laptop", "cpu-laptop", [], "laptop-v2", "llama.cpp", false),
    ("gpu-workstation", "gpu-workstation", [], "gpu-workstation", "llama.cpp", true),
    ("vllm-server", "vllm-server", [], "multi-gpu-server", "vllm", true),
    ("demo", "demo", [], "laptop-v2", "llama.cpp", false),
    ("cpu-laptop-exposed", "cpu-laptop", ["--expose", "--llm-port", "9080", "--backend-port", "4000"], "laptop-v2", "llama.cpp", false),
  ]

  static let guideKeys = [
    "USE_LOCAL_MODELS", "LOCAL_LLM_ENDPOINT", "LOCAL_LLM_MODEL", "LOCAL_EMBEDDING_ENDPOINT", "LOCAL_EMBEDDING_MODEL",
    "LOCAL_EMBEDDING_DIMENSIONS", "USE_AZURE_OPENAI", "OPENAI_API_KEY", "DATABASE_URL", "LOCAL_LLM_CONTEXT_LENGTH",
    "LOCAL_LLM_TIMEOUT", "EMBEDDING_BATCH_SIZE",
  ]

  /// A scratch project (folder named `synapse`, so the compose project name is stable) and store.
  struct Scratch {
    let root = NSTemporaryDirectory() + "generate-\(UUID().uuidString)"
    var project: String { root + "/synapse" }
    var store: String { root + "/store" }
    /// Offline, and runtimes (if anything installs one) under the scratch folder.
    var environment: [String: String] { ["HF_HUB_CACHE": store, "HF_HUB_OFFLINE": "1", "SYNAPSE_LOCAL_HOME": root + "/home"] }

    /// A command line run in this process (`InProcessCLI`).
    func run(_ arguments: [String], machine: String? = nil) async throws -> CLIResult {
      await InProcessCLI.run(arguments, context: InProcessCLI.context(machine: machine, environment: environment))
    }

    /// `detect --json` on the fixture machine, saved as the file `--hardware` reads.
    func hardwareFile(_ machine: String) async throws -> String {
      let detected = try await run(["detect", "--json"], machine: machine)
      try #require(detected.status == 0, "\(detected.stderr)")
      let path = root + "/\(machine).json"
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
      try detected.stdout.write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }

    /// Puts small stand-in files into the store as the repositories the plan names, with
    /// `models import` into the project (which pins them in its lock), as a user without internet
    /// would; generate only needs the snapshot paths.
    func importStandIns(llmOnly configuration: ProjectConfiguration) async throws {
      try await importStandIns(for: configuration, embedding: false)
    }

    func importStandIns(for configuration: ProjectConfiguration, embedding withEmbedding: Bool = true) async throws {
      let catalog = try Fixtures.catalog()
      let scratch = root + "/stand-ins"
      try FileManager.default.createDirectory(atPath: scratch + "/llm", withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: scratch + "/embedding", withIntermediateDirectories: true)
      let llm = try catalog.model(id: configuration.llm.model.description, role: .llm)
      var imports: [(String, String)] = []
      if configuration.engine == .llamaCpp, let gguf = llm.gguf {
        // A GGUF header llama.cpp would read (import refuses anything else); no weights needed here.
        try Data(GGUFBuilder.tinyLlama().bytes()).write(to: URL(fileURLWithPath: scratch + "/llm/model.gguf"))
        imports.append((scratch + "/llm/model.gguf", gguf.repository + "/" + gguf.file))
      } else if let repository = llm.vllm?.repository {
        try Data("{}".utf8).write(to: URL(fileURLWithPath: scratch + "/llm/config.json"))
        imports.append((scratch + "/llm", repository))
      }
      if withEmbedding {
        let embedding = try catalog.model(id: configuration.embedding.model.description, role: .embedding)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: scratch + "/embedding/config.json"))
        imports.append((scratch + "/embedding", try #require(embedding.repository)))
      }
      for (source, target) in imports {
        // A stand-in is not the file the catalog pins (a demo model's SHA-256): --force says so.
        let imported = try await run(["models", "import", source, "--as", target, "--project", project, "--force"])
        try #require(imported.status == 0, "\(imported.stderr)")
      }
    }

    func read(_ name: String) throws -> String { try String(contentsOfFile: project + "/" + name, encoding: .utf8) }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
  }

  /// Machine-specific parts replaced by placeholders so golden files compare anywhere.
  func normalized(_ text: String, _ scratch: Scratch, password: String) -> String {
    text.replacingOccurrences(of: scratch.store, with: "$STORE").replacingOccurrences(of: scratch.project, with: "$PROJECT")
      .replacingOccurrences(of: scratch.root, with: "$ROOT").replacingOccurrences(of: password, with: "$PASSWORD")
  }

  /// Compares with Tests/Fixtures/golden/<profile>/<name>; SYNAPSE_LOCAL_UPDATE_GOLDEN=1 rewrites them.
  func expectGolden(_ text: String, folder: String, name: String) throws {
    let path = Fixtures.root + "/golden/\(folder)/\(name)"
    if ProcessInfo.processInfo.environment["SYNAPSE_LOCAL_UPDATE_GOLDEN"] == "1" {
      try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      return
    }
    let golden = try String(contentsOfFile: path, encoding: .utf8)
    #expect(
      text == golden,
      "\(folder)/\(name) differs from its golden file:\n\(LineDiff.unified(old: golden, new: text, oldName: "golden", newName: "generated"))"
    )
  }

  @Test(.timeLimit(.minutes(3)), .enabled(if: TestBed.shouldRun(.python)), arguments: cases.map(\.name))
  func profileGeneratesCorrectFiles(_ name: String) async throws {
    let entry = try #require(Self.cases.first { $0.name == name })
    let profile = entry.profile
    let scratch = Scratch()
    defer { scratch.remove() }
    let hardware = try await scratch.hardwareFile(entry.machine)
    // The project folder is a Synapse checkout: init finds the apps in it.
    try FileManager.default.copyItem(atPath: Fixtures.root + "/synapse-app", toPath: scratch.project)
    let initialized = try await scratch.run(
      ["init", "--profile", profile, "--hardware", hardware, "--project", scratch.project] + entry.flags)
    try #require(initialized.status == 0, "\(initialized.stderr)")
    #expect(initialized.stdout.contains("backend: apps/backend (reads LOCAL_LLM_ENDPOINT), npm"), "\(initialized.stdout)")
    let configuration = try ProjectSchema.parse(try scratch.read("synapse-local.yaml"), file: "synapse-local.yaml")
    #expect(configuration.expose == entry.flags.contains("--expose"))
    #expect(configuration.engine.rawValue == entry.engine)
    #expect(configuration.profile == profile)

    // Before the models are in the store, generate says what to do and writes nothing.
    let early = try await scratch.run(["generate", "--project", scratch.project])
    // A demo model is the test bed's file: imported, never pulled.
    let hint = profile == "demo" ? "synapse-local models import" : "synapse-local pull"
    #expect(early.status == 1 && early.stderr.contains(hint), "\(early.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.project + "/.env"))

    try await scratch.importStandIns(for: configuration)
    let generated = try await scratch.run(["generate", "--project", scratch.project, "--json"])
    try #require(generated.status == 0, "\(generated.stderr)")
    let statuses = try #require(try JSONSerialization.jsonObject(with: Data(generated.stdout.utf8)) as? [[String: String]])
    #expect(
      statuses.map { $0["path"] ?? "" } == [
        ".env", "docker-compose.local.yml", "services/embedding/embedding_server.py", "services/embedding/requirements.txt",
        "services/embedding/Dockerfile",
      ])
    #expect(statuses.allSatisfy { $0["status"] == "written" })

    let password = try String(contentsOfFile: scratch.project + "/.synapse-local/secrets/db-password", encoding: .utf8).trimmingCharacters(
      in: .whitespacesAndNewlines)
    #expect(password.count == 32 && password != "synapse")
    let envAttributes = try FileManager.default.attributesOfItem(atPath: scratch.project + "/.env")
    #expect((envAttributes[.posixPermissions] as? Int) == 0o600)
    for file in ["synapse-local.yaml", ".env", "docker-compose.local.yml"] {
      try expectGolden(
        normalized(try scratch.read(file), scratch, password: password), folder: name, name: file == ".env" ? "dot-env" : file)
    }

    let checked = try await PythonChecks.run(project: scratch.project)
    #expect(checked.schemaErrors.isEmpty, "schema: \(checked.schemaErrors)")
    try ComposeRules.check(checked.compose, configuration: configuration, gpu: entry.gpu, store: scratch.store)
    try EnvRules.check(checked.env, configuration: configuration, password: password)

    // Again: nothing changes, and the password is the same.
    let again = try await scratch.run(["generate", "--project", scratch.project, "--json"])
    #expect(again.stdout.contains("unchanged") && !again.stdout.contains("\"written\""))
    #expect(try String(contentsOfFile: scratch.project + "/.synapse-local/secrets/db-password", encoding: .utf8).contains(password))
  }

  /// A hand edit is kept (with a warning) until --force; --diff shows it and writes nothing; the
  /// password survives --force.
  @Test(.timeLimit(.minutes(2)))
  func handEditsAreKeptUntilForced() async throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let hardware = try await scratch.hardwareFile("laptop-v2")
    let initialized = try await scratch.run(["init", "--profile", "demo", "--hardware", hardware, "--project", scratch.project])
    try #require(initialized.status == 0, "\(initialized.stderr)")
    try await scratch.importStandIns(for: try ProjectSchema.parse(try scratch.read("synapse-local.yaml"), file: "x"))
    try #require(try await scratch.run(["generate", "--project", scratch.project]).status == 0)
    let original = try scratch.read(".env")
    let password = try String(contentsOfFile: scratch.project + "/.synapse-local/secrets/db-password", encoding: .utf8)

    let edited = original.replacingOccurrences(of: "EMBEDDING_BATCH_SIZE=10", with: "EMBEDDING_BATCH_SIZE=64")
    try edited.write(toFile: scratch.project + "/.env", atomically: true, encoding: .utf8)
    let kept = try await scratch.run(["generate", "--project", scratch.project, "--json"])
    #expect(kept.status == 0)
    #expect(kept.stdout.contains(#""path" : ".env""#) && kept.stdout.contains(#""status" : "kept""#))
    #expect(kept.stderr.contains(".env was edited by hand"))
    #expect(try scratch.read(".env") == edited)

    let diff = try await scratch.run(["generate", "--project", scratch.project, "--diff"])
    #expect(diff.status == 0)
    #expect(diff.stdout.contains("-EMBEDDING_BATCH_SIZE=64\n+EMBEDDING_BATCH_SIZE=10"))
    #expect(try scratch.read(".env") == edited)

    let forced = try await scratch.run(["generate", "--project", scratch.project, "--force"])
    #expect(forced.status == 0 && forced.stdout.contains("wrote      .env"))
    #expect(try scratch.read(".env") == original)
    #expect(try String(contentsOfFile: scratch.project + "/.synapse-local/secrets/db-password", encoding: .utf8) == password)
  }

  /// Relative paths on the command line (project, hardware file, store) and a local model folder:
  /// everything written is absolute, so `generate` works from any folder and Compose mounts the
  /// right places; the local model is mounted for its own service only.
  @Test(.timeLimit(.minutes(2)))
  func relativePathsAndLocalModelsAreWrittenAbsolute() async throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let hardware = try await scratch.hardwareFile("laptop-v2")
    let model = scratch.root + "/models/my-embedder"
    try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
    try Data("{}".utf8).write(to: URL(fileURLWithPath: model + "/config.json"))
    let relative = ["HF_HUB_CACHE": "store", "HF_HUB_OFFLINE": "1"]
    let initialized = try await CLIRunner.run(
      [
        "init", "--profile", "demo", "--hardware", (hardware as NSString).lastPathComponent, "--project", "synapse", "--embedding",
        "./models/my-embedder",
      ],
      environment: relative, directory: scratch.root)
    try #require(initialized.status == 0, "\(initialized.stderr)")
    // "Next:" names the project one way, absolute, in every command it gives.
    let next = try #require(initialized.stdout.split(separator: "\n").first { $0.hasPrefix("Next:") })
    #expect(next.contains("generate --project \(scratch.project)") && !next.contains("--project synapse"), "\(next)")
    let configuration = try ProjectSchema.parse(try scratch.read("synapse-local.yaml"), file: "x")
    #expect(configuration.hardware == hardware)
    // Relative to where init ran, kept absolute: the project file's own relative paths are the project's.
    #expect(configuration.embedding.model == .local(path: model))
    #expect(configuration.embedding.servedName == "my-embedder")
    try await scratch.importStandIns(llmOnly: configuration)

    let generated = try await CLIRunner.run(["generate", "--project", "synapse"], environment: relative, directory: scratch.root)
    try #require(generated.status == 0, "\(generated.stderr)")
    let compose = try await PythonChecks.run(project: scratch.project)
    #expect(compose.schemaErrors.isEmpty)
    let services = try #require(compose.compose["services"] as? [String: [String: Any]])
    #expect(services["llm"]?["volumes"] as? [String] == ["\(scratch.store):/models:ro"])
    #expect(
      services["embedding"]?["volumes"] as? [String] == ["\(scratch.store):/models:ro", "\(scratch.root)/models:/local/embedding:ro"])
    #expect((services["embedding"]?["environment"] as? [String: String])?["EMBEDDING_MODEL"] == "/local/embedding/my-embedder")
    #expect(try scratch.read("services/embedding/embedding_server.py").contains("\"\(model)\""))

    // From another folder, with the absolute project: the same files.
    let elsewhere = try await CLIRunner.run(
      ["generate", "--project", scratch.project, "--json"], environment: ["HF_HUB_CACHE": scratch.store, "HF_HUB_OFFLINE": "1"])
    #expect(
      elsewhere.status == 0 && !elsewhere.stdout.contains("written") && !elsewhere.stdout.contains("kept"),
      "\(elsewhere.stdout)\(elsewhere.stderr)")
  }

  /// The password never shows in a diff, survives a lost state folder (the database was created
  /// with it), and the state folder keeps itself out of git.
  @Test(.timeLimit(.minutes(2)))
  func thePasswordStaysSecretAndStable() async throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    let hardware = try await scratch.hardwareFile("laptop-v2")
    try #require(try await scratch.run(["init", "--profile", "demo", "--hardware", hardware, "--project", scratch.project]).status == 0)
    try await scratch.importStandIns(for: try ProjectSchema.parse(try scratch.read("synapse-local.yaml"), file: "x"))
    try #require(try await scratch.run(["generate", "--project", scratch.project]).status == 0)
    let state = scratch.project + "/.synapse-local"
    let password = try String(contentsOfFile: state + "/secrets/db-password", encoding: .utf8).trimmingCharacters(
      in: .whitespacesAndNewlines)
    #expect(try String(contentsOfFile: state + "/.gitignore", encoding: .utf8).contains("\n*\n"))
    #expect((try FileManager.default.attributesOfItem(atPath: state + "/secrets")[.posixPermissions] as? Int) == 0o700)

    try FileManager.default.removeItem(atPath: scratch.project + "/.env")
    let diff = try await scratch.run(["generate", "--project", scratch.project, "--diff"])
    #expect(diff.status == 0 && diff.stdout.contains("+DATABASE_URL=postgresql://synapse:********@127.0.0.1"))
    #expect(!diff.stdout.contains(password) && !diff.stderr.contains(password))
    try #require(try await scratch.run(["generate", "--project", scratch.project]).status == 0)

    try FileManager.default.removeItem(atPath: state)
    let regenerated = try await scratch.run(["generate", "--project", scratch.project, "--json"])
    #expect(regenerated.status == 0)
    #expect(try scratch.read(".env").contains("SYNAPSE_LOCAL_DB_PASSWORD=\(password)"))
    #expect(try String(contentsOfFile: state + "/secrets/db-password", encoding: .utf8).contains(password))
  }

  /// `up` checks before it starts anything: binaries, model sizes against the lock, memory.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .llamaServer, .postgresBin)))
  func upRefusesBeforeStartingAnything() async throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    // Planned for a 64 GiB machine; run on the 16 GiB laptop fixture.
    let laptop = try await scratch.hardwareFile("laptop-v2")
    var report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: laptop))) as? [String: Any])
    var memory = try #require(report["memory"] as? [String: Any])
    for key in ["total_bytes", "available_bytes", "effective_bytes"] { memory[key] = 64 << 30 }
    memory["limit_bytes"] = nil
    report["memory"] = memory
    let big = scratch.root + "/big.json"
    try JSONSerialization.data(withJSONObject: report).write(to: URL(fileURLWithPath: big))
    let initialized = try await scratch.run([
      // A context the big machine holds and this one does not.
      "init", "--llm", "llama-3.1-8b-q5", "--hardware", big, "--project", scratch.project, "--no-frontend", "--set", "llm.context=131072",
    ])
    try #require(initialized.status == 0, "\(initialized.stderr)")
    try await scratch.importStandIns(for: try ProjectSchema.parse(try scratch.read("synapse-local.yaml"), file: "x"))
    let binaries = [
      "SYNAPSE_LOCAL_LLAMA_SERVER": try TestBed.require(.llamaServer), "SYNAPSE_LOCAL_PYTHON": try TestBed.require(.python),
      "SYNAPSE_LOCAL_PG_BIN": try TestBed.require(.postgresBin), "SYNAPSE_LOCAL_SYSROOT": Fixtures.machine("laptop-v2"),
    ]
    func up(_ extra: [String: String] = [:]) async throws -> CLIResult {
      try await CLIRunner.run(
        ["up", "-d", "--project", scratch.project], environment: scratch.environment.merging(binaries) { $1 }.merging(extra) { $1 })
    }

    let missing = try await up(["SYNAPSE_LOCAL_LLAMA_SERVER": "/nonexistent/llama-server"])
    #expect(missing.status == 1)
    // The variable wins and names a program that is not there: reported, never replaced by another.
    #expect(
      missing.stderr.contains("synapse-local.yaml:")
        && missing.stderr.contains("binaries.llama_server: SYNAPSE_LOCAL_LLAMA_SERVER=/nonexistent/llama-server is not an executable here"),
      "\(missing.stderr)")

    let tooBig = try await up()
    #expect(tooBig.status == 1)
    #expect(
      tooBig.stderr.contains("the plan needs") && tooBig.stderr.contains("--ignore-memory") && tooBig.stderr.contains("What fits:"),
      "\(tooBig.stderr)")

    // A model file that is not the size the lock pins.
    let lockPath = scratch.project + "/synapse-local.lock"
    let lock = try String(contentsOfFile: lockPath, encoding: .utf8)
    let changed = lock.replacingOccurrences(of: "size: ", with: "size: 1")
    try changed.write(toFile: lockPath, atomically: true, encoding: .utf8)
    let wrongSize = try await up()
    #expect(wrongSize.status == 1)
    #expect(wrongSize.stderr.contains("synapse-local.lock pins") && wrongSize.stderr.contains("models verify"), "\(wrongSize.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.project + "/.synapse-local/run/control.sock"))
  }

  /// One command for a new user: `up` in an empty folder plans the project (init) and pulls what
  /// it names; offline here, the pull says what is missing and how to get it.
  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .llamaServer, .postgresBin)))
  func upInAnEmptyFolderPlansAndPullsFirst() async throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    try FileManager.default.createDirectory(atPath: scratch.project, withIntermediateDirectories: true)
    var environment = scratch.environment
    environment["SYNAPSE_LOCAL_SYSROOT"] = Fixtures.machine("laptop-v2")
    environment["PATH"] = Fixtures.machine("laptop-v2") + "/bin:/usr/bin:/bin"
    // No runtime anywhere, and --no-install: refused before any download, with the command to run.
    let missingBinary = try await CLIRunner.run(["up", "-d", "--no-install", "--project", scratch.project], environment: environment)
    #expect(missingBinary.status == 1)
    #expect(missingBinary.stderr.contains("planning one for this machine"))
    #expect(
      // llama.cpp serves the embeddings too (embedding.engine): no sentence-transformers runtime.
      missingBinary.stderr.contains("postgresql, llama.cpp are not installed") && !missingBinary.stderr.contains("embedding")
        && missingBinary.stderr.contains("--no-install was given")
        && missingBinary.stderr.contains("synapse-local install ") && !missingBinary.stderr.contains("pulling"), "\(missingBinary.stderr)")
    #expect(FileManager.default.fileExists(atPath: scratch.project + "/synapse-local.yaml"))

    environment["SYNAPSE_LOCAL_LLAMA_SERVER"] = try TestBed.require(.llamaServer)
    environment["SYNAPSE_LOCAL_PYTHON"] = try TestBed.require(.python)
    environment["SYNAPSE_LOCAL_PG_BIN"] = try TestBed.require(.postgresBin)
    let offline = try await CLIRunner.run(["up", "-d", "--project", scratch.project], environment: environment)
    #expect(offline.status == 1)
    let planned = try ProjectSchema.parse(try scratch.read("synapse-local.yaml"), file: "x")
    #expect(offline.stderr.contains("pulling what the project needs: \(planned.llm.model) \(planned.embedding.model)"), "\(offline.stderr)")
    #expect(offline.stderr.contains("HF_HUB_OFFLINE is set") && offline.stderr.contains("models import"))
  }

  /// Bad project files and flags: one line per problem with file, line and key; exit 1; nothing written.
  @Test func badProjectFilesAndFlagsAreReported() async throws {
    let scratch = Scratch()
    defer { scratch.remove() }
    try FileManager.default.createDirectory(atPath: scratch.project, withIntermediateDirectories: true)
    let file = scratch.project + "/synapse-local.yaml"
    try "engine: llama.cpp\nllm:\n  port: 99999\n  colour: blue\n".write(toFile: file, atomically: true, encoding: .utf8)
    let generated = try await scratch.run(["generate", "--project", scratch.project])
    #expect(generated.status == 1)
    #expect(
      generated.stderr
        == "synapse-local: error: \(file):3: llm.port: 99999 is not a port (1-65535)\nsynapse-local: error: \(file):4: llm.colour: unknown key; known here: llm.batch_size, llm.chat_template, llm.context, llm.flash_attention, llm.gpu_layers, llm.gpu_memory_utilization, llm.idle_unload_seconds, llm.mlock, llm.model, llm.pipeline_parallel_size, llm.port, llm.preload, llm.restart, llm.restart_when_degraded, llm.served_name, llm.slow_ratio, llm.tensor_parallel_size, llm.threads, llm.threads_batch, llm.timeout_ms, llm.ubatch_size\n"
    )
    #expect(!FileManager.default.fileExists(atPath: scratch.project + "/.env"))

    // A REF that names nothing: a catalog id that is not there, a chat model in the embedding role.
    try "llm:\n  model: llama-9-giant\nembedding:\n  model: llama-3.2-3b-q4\n".write(toFile: file, atomically: true, encoding: .utf8)
    let unresolved = try await scratch.run(["generate", "--project", scratch.project])
    #expect(unresolved.status == 1)
    let lines = unresolved.stderr.split(separator: "\n")
    #expect(lines.count == 2 && lines[0].hasPrefix("synapse-local: error: \(file):2: llm.model: ") && lines[0].contains("llama-9-giant"))
    #expect(lines.count == 2 && lines[1].hasPrefix("synapse-local: error: \(file):4: embedding.model: "))

    let hardware = try await scratch.hardwareFile("laptop-v2")
    let badFlag = try await scratch.run([
      "init", "--hardware", hardware, "--project", scratch.project + "2", "--llm-port", "99999", "--llm", "no-such-model",
    ])
    #expect(badFlag.status == 1)
    #expect(badFlag.stderr.contains("--llm-port: 99999 is not a port (1-65535)"))
    #expect(!FileManager.default.fileExists(atPath: scratch.project + "2/synapse-local.yaml"))
    let unknownModel = try await scratch.run(["init", "--hardware", hardware, "--project", scratch.project + "2", "--llm", "no-such-model"])
    #expect(unknownModel.status == 1 && unknownModel.stderr.contains("no-such-model"))
    let unknownProfile = try await scratch.run(["init", "--profile", "huge", "--hardware", hardware, "--project", scratch.project + "2"])
    #expect(unknownProfile.stderr.contains("unknown profile 'huge'; available: cpu-laptop, demo, gpu-workstation, vllm-server"))

    // In a script (no terminal) an existing project file is never replaced without --force.
    let again = try await scratch.run(["init", "--hardware", hardware, "--project", scratch.project])
    #expect(again.status == 1 && again.stderr.contains("already exists; pass --force"))
    #expect(try scratch.read("synapse-local.yaml").contains("llama-9-giant"))
    let forced = try await scratch.run(["init", "--hardware", hardware, "--project", scratch.project, "--force"])
    #expect(try forced.status == 0 && !scratch.read("synapse-local.yaml").contains("llama-9-giant"))
    let vllmOnLaptop = try await scratch.run(["init", "--engine", "vllm", "--hardware", hardware, "--project", scratch.project + "3"])
    #expect(vllmOnLaptop.status == 1 && vllmOnLaptop.stderr.contains("no NVIDIA GPU"))
  }
}

/// The generated files as Python's jsonschema, PyYAML and python-dotenv read them.
enum PythonChecks {
  struct Result {
    var schemaErrors: [String]
    var compose: [String: Any]
    var env: [String: String]
  }

  static func run(project: String) async throws -> Result {
    let python = try TestBed.require(.python)
    let (status, output) = try await runCommand(
      python,
      [
        Fixtures.root + "/compose/check_generated.py", Fixtures.root + "/compose/compose-spec.json", project + "/docker-compose.local.yml",
        project + "/.env",
      ])
    guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    else { throw TestFailure("check_generated.py failed:\n\(output.suffix(2000))") }
    return Result(
      schemaErrors: object["schema_errors"] as? [String] ?? ["(no answer)"], compose: object["compose"] as? [String: Any] ?? [:],
      env: (object["env"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String })
  }
}
