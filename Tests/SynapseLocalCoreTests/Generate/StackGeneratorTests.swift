import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `generate` in memory: StackGenerator renders the repository's templates, GeneratedFileWriter and
/// DatabaseSecret write to a MemoryFileSystem holding the project and a store whose snapshots the
/// project's lock pins (so the resolver reads no refs from disk).
@Suite("Stack generator")
struct StackGeneratorTests {
  static let guideKeys: Set<String> = [
    "USE_LOCAL_MODELS", "LOCAL_LLM_ENDPOINT", "LOCAL_LLM_MODEL", "LOCAL_EMBEDDING_ENDPOINT", "LOCAL_EMBEDDING_MODEL",
    "LOCAL_EMBEDDING_DIMENSIONS", "USE_AZURE_OPENAI", "OPENAI_API_KEY", "DATABASE_URL", "LOCAL_LLM_CONTEXT_LENGTH",
    "LOCAL_LLM_TIMEOUT", "EMBEDDING_BATCH_SIZE",
  ]
  static let generatedPaths = [
    ".env", "docker-compose.local.yml", "services/embedding/embedding_server.py", "services/embedding/requirements.txt",
    "services/embedding/Dockerfile",
  ]

  /// A project at /home/user/synapse with the default plan (Llama 3.2 3B Q4 and MiniLM), its
  /// models in /store.
  struct Scene {
    let project = "/home/user/synapse"
    let store = "/store"
    var state: String { project + "/.synapse-local" }
    var envFile: String { project + "/.env" }
    let files: MemoryFileSystem
    var configuration = ProjectConfiguration()
    var lock = ProjectLock()
    let catalog: ModelCatalog

    init() throws {
      files = MemoryFileSystem(roots: ["/home/user/synapse", "/store"])
      catalog = try Fixtures.catalog()
      configuration.paths.state = state
      try stock(
        "bartowski/Llama-3.2-3B-Instruct-GGUF", path: "Llama-3.2-3B-Instruct-Q4_K_M.gguf",
        commit: "c0ffee0100000000000000000000000000000000", bytes: 64)
      try stock("sentence-transformers/all-MiniLM-L6-v2", path: "config.json", commit: "beef000200000000000000000000000000000000", bytes: 2)
    }

    /// Puts a file into the store as a pull would (a blob, a relative link in the snapshot) and
    /// pins it in the lock.
    mutating func stock(_ repository: String, path: String, commit: String, bytes: Int) throws {
      let folder = store + "/" + (try RepositoryID(repository)).cacheFolderName
      let etag = String(repeating: "e", count: 63) + String(lock.files.count)
      try files.write(Data(count: bytes), to: folder + "/blobs/" + etag, permissions: 0o644)
      files.link(folder + "/snapshots/\(commit)/\(path)", to: "../../blobs/" + etag)
      lock.files.append(
        ProjectLock.Entry(
          repository: repository, revision: "main", commit: commit, path: path, size: UInt64(bytes), sha256: etag, etag: etag))
    }

    var resolver: ModelResolver {
      ModelResolver(catalog: catalog, cache: HubCache(root: store, files: files), lock: lock, project: project, files: files)
    }

    /// The password as `generate` gets it: a dry run never creates one.
    func password(dryRun: Bool = false) throws -> String {
      dryRun
        ? DatabaseSecret.existing(state: state, envFile: envFile, files: files) ?? "generated-on-first-write"
        : try DatabaseSecret.loadOrCreate(state: state, envFile: envFile, files: files)
    }

    func generate(force: Bool = false, dryRun: Bool = false) throws -> [GeneratedFileWriter.Outcome] {
      let generator = StackGenerator(
        project: project, configuration: configuration, catalog: catalog, hardware: Machine.cpu(memoryGiB: 16), resolver: resolver,
        renderer: TemplateRenderer(folder: Fixtures.share + "/templates", files: try Fixtures.shareFiles()),
        images: try Fixtures.images(),
        dbPassword: try password(dryRun: dryRun),
        fileSystem: files)
      return try GeneratedFileWriter(project: project, state: state, files: files).write(
        try generator.files(), force: force, dryRun: dryRun)
    }

    /// `.env`'s settings (comments and blank lines left out).
    func env() throws -> [String: String] {
      let text = try #require(files.text(envFile))
      var settings: [String: String] = [:]
      for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        let parts = line.split(separator: "=", maxSplits: 1)
        settings[String(parts[0])] = parts.count == 2 ? String(parts[1]) : ""
      }
      return settings
    }
  }

  func statuses(_ outcomes: [GeneratedFileWriter.Outcome]) -> [String: GeneratedFileWriter.Status] {
    Dictionary(uniqueKeysWithValues: outcomes.map { ($0.path, $0.status) })
  }

  @Test func envIsWrittenPrivateWithTheGeneratedPasswordAndTheGuidesKeys() throws {
    let scene = try Scene()
    let outcomes = try scene.generate()
    #expect(outcomes.map(\.path) == Self.generatedPaths)
    #expect(outcomes.allSatisfy { $0.status == .written })

    let password = try #require(scene.files.text(scene.state + "/secrets/db-password")).trimmingCharacters(in: .newlines)
    #expect(password.count == 32 && password.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
    #expect(scene.files.permissions(scene.state + "/secrets/db-password") == 0o600)
    #expect(scene.files.text(scene.state + "/.gitignore")?.contains("\n*\n") == true)

    #expect(scene.files.permissions(scene.envFile) == 0o600)
    let env = try scene.env()
    #expect(Set(env.keys) == Self.guideKeys.union(["SYNAPSE_LOCAL_DB_PASSWORD"]))
    #expect(env["SYNAPSE_LOCAL_DB_PASSWORD"] == password)
    #expect(env["DATABASE_URL"] == "postgresql://synapse:\(password)@127.0.0.1:5432/synapse")
    #expect(env["LOCAL_LLM_MODEL"] == "Llama-3.2-3B-Instruct")
    #expect(env["LOCAL_EMBEDDING_DIMENSIONS"] == "384")

    // The other files are not secret; the compose file names the pinned snapshot files.
    #expect(scene.files.permissions(scene.project + "/docker-compose.local.yml") == 0o644)
    let compose = try #require(scene.files.text(scene.project + "/docker-compose.local.yml"))
    #expect(compose.contains("/store:/models:ro"))
    #expect(
      compose.contains(
        "/models/models--bartowski--Llama-3.2-3B-Instruct-GGUF/snapshots/c0ffee0100000000000000000000000000000000/Llama-3.2-3B-Instruct-Q4_K_M.gguf"
      ))
    #expect(scene.files.text(scene.state + "/generated.json")?.contains("\"docker-compose.local.yml\"") == true)
  }

  /// A value that reached the generator without the schema's check (a profile from code, a state
  /// folder): no line break gets into `.env`, comments included, and nothing is written.
  @Test func aLineBreakNeverReachesEnvEvenInAComment() throws {
    for hostile in [\ProjectConfiguration.profile, \ProjectConfiguration.paths.state] {
      var scene = try Scene()
      scene.configuration[keyPath: hostile] = "x\nNODE_OPTIONS=--require=/tmp/a.js\n#"
      #expect(throws: GenerateError.self) { try scene.generate() }
      #expect(!scene.files.exists(scene.envFile))
    }
    // Without a line break the value stays in its comment.
    var scene = try Scene()
    scene.configuration.profile = "x NODE_OPTIONS=--require=/tmp/a.js #"
    _ = try scene.generate()
    let text = try #require(scene.files.text(scene.envFile))
    #expect(!ServicePlanner.envPairs(text).contains { $0.0.contains("NODE_OPTIONS") }, "\(text)")
  }

  /// Compose replaces `${VAR}` anywhere in its file, from `.env` among others: a served name
  /// `${SYNAPSE_LOCAL_DB_PASSWORD}` must stay that text, not become the password the llm then
  /// serves as its model's name.
  @Test func composeInterpolatesOnlyThePasswordsOwnReferences() throws {
    var scene = try Scene()
    scene.configuration.llm.servedName = "${SYNAPSE_LOCAL_DB_PASSWORD}"
    scene.configuration.embedding.servedName = "$HOME-minilm"
    _ = try scene.generate()
    let compose = try #require(scene.files.text(scene.project + "/docker-compose.local.yml"))
    #expect(compose.contains(#""--alias", "$${SYNAPSE_LOCAL_DB_PASSWORD}""#), "\(compose)")
    #expect(compose.contains("EMBEDDING_MODEL_NAME: \"$$HOME-minilm\""), "\(compose)")
    // Every `$` Compose would act on (comments aside): the password's own, nothing else.
    let references = compose.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
      .flatMap { $0.replacingOccurrences(of: "$$", with: "").matches(of: #/\$\{?[A-Za-z_]+/#).map { String($0.output) } }
    #expect(Set(references) == ["${SYNAPSE_LOCAL_DB_PASSWORD"] && references.count == 2, "\(references)")
    // `.env` keeps the name as it is, single-quoted: no reader expands it.
    #expect(try scene.env()["LOCAL_LLM_MODEL"] == "'${SYNAPSE_LOCAL_DB_PASSWORD}'")
  }

  @Test func aSecondRunWithTheSamePlanChangesNothing() throws {
    let scene = try Scene()
    _ = try scene.generate()
    let first = Dictionary(uniqueKeysWithValues: Self.generatedPaths.map { ($0, scene.files.text(scene.project + "/" + $0)) })
    let again = try scene.generate()
    #expect(again.map(\.path) == Self.generatedPaths)
    #expect(again.allSatisfy { $0.status == .unchanged && $0.diff == nil })
    for path in Self.generatedPaths { #expect(scene.files.text(scene.project + "/" + path) == first[path], "\(path)") }
  }

  @Test func aFileEditedByHandIsKeptUnlessForced() throws {
    let scene = try Scene()
    _ = try scene.generate()
    let generated = try #require(scene.files.text(scene.envFile))
    let edited = generated + "MY_OWN_SETTING=1\n"
    // An editor that saved it readable by everyone.
    try scene.files.write(edited, to: scene.envFile, permissions: 0o644)

    let kept = try scene.generate()
    #expect(statuses(kept)[".env"] == .kept)
    #expect(kept.first { $0.path == ".env" }?.diff?.contains("-MY_OWN_SETTING=1") == true)
    #expect(statuses(kept)["docker-compose.local.yml"] == .unchanged)
    #expect(scene.files.text(scene.envFile) == edited)
    #expect(scene.files.permissions(scene.envFile) == 0o600, "a kept secret file is still narrowed to its mode")

    let forced = try scene.generate(force: true)
    #expect(statuses(forced)[".env"] == .written)
    #expect(scene.files.text(scene.envFile) == generated)
    #expect(statuses(try scene.generate())[".env"] == .unchanged, "the forced file is ours again")
  }

  @Test func aDryRunWritesNothing() throws {
    let scene = try Scene()
    let before = scene.files.paths
    let outcomes = try scene.generate(dryRun: true)
    #expect(outcomes.allSatisfy { $0.status == .written && $0.diff?.isEmpty == false })
    #expect(scene.files.paths == before)
    #expect(!scene.files.exists(scene.state))

    // Nor over an existing project: what would change is only reported.
    _ = try scene.generate()
    var changed = scene
    changed.configuration.llm.port = 9090
    let written = scene.files.text(scene.envFile)
    let preview = try changed.generate(dryRun: true)
    #expect(statuses(preview)[".env"] == .written)
    #expect(preview.first { $0.path == ".env" }?.diff?.contains("+LOCAL_LLM_ENDPOINT=http://127.0.0.1:9090") == true)
    #expect(scene.files.text(scene.envFile) == written)
  }

  @Test func thePasswordIsStableAndComesFromTheOldEnvWhenTheSecretIsLost() throws {
    let scene = try Scene()
    _ = try scene.generate()
    let password = try #require(try scene.env()["SYNAPSE_LOCAL_DB_PASSWORD"])
    #expect(try scene.password() == password)
    #expect(try Scene().password() != password, "each project gets its own")

    // The state folder is gone; the database was initialised with the password in .env.
    try scene.files.remove(scene.state)
    #expect(scene.files.text(scene.state + "/secrets/db-password") == nil)
    #expect(try scene.generate().allSatisfy { $0.status == .unchanged })
    #expect(scene.files.text(scene.state + "/secrets/db-password") == password + "\n")
    #expect(scene.files.permissions(scene.state + "/secrets/db-password") == 0o600)
  }

  @Test func aModelOutsideTheCatalogIsLimitedByItsBlobsSize() throws {
    var scene = try Scene()
    try scene.stock("acme/Tiny-GGUF", path: "tiny.gguf", commit: "7e57000300000000000000000000000000000000", bytes: 3 << 20)
    scene.configuration.llm.model = "acme/Tiny-GGUF/tiny.gguf"
    _ = try scene.generate()
    let compose = try #require(scene.files.text(scene.project + "/docker-compose.local.yml"))
    // 3 MiB of weights and 1 GiB besides; the link itself is a few bytes.
    #expect(compose.contains("memory: 1027m"))
  }
}
