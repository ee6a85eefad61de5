import ArgumentParser
import Foundation
import SynapseLocalCore

struct ModelsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "models",
    abstract: "Manage the model store (the Hugging Face cache shared with huggingface_hub).",
    discussion: """
      The store is $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub: the layout \
      huggingface_hub, transformers and sentence-transformers use, so nothing is downloaded twice \
      and what synapse-local stores loads in them with HF_HUB_OFFLINE=1.
      """,
    subcommands: [ModelsListCommand.self, ModelsImportCommand.self, ModelsVerifyCommand.self, ModelsRemoveCommand.self])
}

/// Turns a REF into the repository (and revision) it names in the store.
func storeRepository(_ ref: String) throws -> (RepositoryID, String?) {
  switch try ModelReference(parsing: ref) {
  case .hub(let repository, nil, let revision):
    return (try RepositoryID(repository), revision)
  case .hub(let repository, .some(let path), _):
    throw UsageProblem("'\(ref)' names the file \(path); give the repository \(repository) (optionally @REVISION)")
  case .catalog(let id, let revision):
    let model = try Context.command().catalog().model(id: id)
    guard let repository = model.repository(for: .llamaCpp) else { throw UsageProblem("catalog model \(id) has no repository") }
    return (try RepositoryID(repository), revision)
  case .local(let path):
    throw UsageProblem("'\(path)' is a local path; give a repository (ORG/REPO) or a catalog id")
  }
}

struct ModelsListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List the repositories in the store with their snapshots, files and sizes.")

  @Flag(name: .long, help: "Print JSON: repository, folder, size_bytes, snapshots (commit, refs, files with locked_by).")
  var json = false

  @OptionGroup var projectOptions: ProjectOptions

  func run() async throws {
    try await reportingErrors {
      let environment = ProcessInfo.processInfo.environment
      var repositories = try HubCache.live(environment: environment).repositories()
      if let lockPath = projectOptions.lockPath(Context.command()), FileManager.default.fileExists(atPath: lockPath) {
        repositories = HubCache.markLocked(repositories, by: try ProjectLock.load(lockPath), at: lockPath)
      }
      if json { return try Output.json(repositories) }
      if repositories.isEmpty { return Output.line("The model store is empty.") }
      for repository in repositories {
        Output.line("\(repository.repository)  \(ByteCount.format(repository.sizeBytes))")
        for snapshot in repository.snapshots {
          let refs = snapshot.refs.isEmpty ? "" : " (\(snapshot.refs.joined(separator: ", ")))"
          Output.line("  \(snapshot.commit)\(refs)")
          for file in snapshot.files {
            let pinned = file.lockedBy.isEmpty ? "" : "  (pinned by \(file.lockedBy.joined(separator: ", ")))"
            Output.line("    \(file.path)  \(file.sizeBytes.map(ByteCount.format) ?? "missing blob")\(pinned)")
          }
        }
      }
    }
  }
}

struct ModelsImportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Put a model file or folder obtained offline into the store, as a download would.",
    discussion: """
      Blobs are named by their SHA-256, computed while copying; the snapshot gets a deterministic \
      40-hex id from the sorted (path, sha256) list, and refs/main points at it. huggingface_hub and \
      sentence-transformers then load the repository offline like any other.

      Examples:
        synapse-local models import ./all-MiniLM-L6-v2 --as sentence-transformers/all-MiniLM-L6-v2
        synapse-local models import ./Llama-3.2-3B-Instruct-Q4_K_M.gguf --as bartowski/Llama-3.2-3B-Instruct-GGUF
      """)

  @Argument(help: "The file or folder to import.")
  var path: String

  @Option(name: .customLong("as"), help: "ORG/REPO, or ORG/REPO/PATH/IN/REPO to place a file (or folder) under a path.")
  var target: String

  @Option(name: .long, help: "The branch to point at the new snapshot.")
  var revision = "main"

  @Flag(name: .long, help: "Print the result as JSON.")
  var json = false

  @Flag(name: .long, help: "Print nothing but errors.")
  var quiet = false

  @OptionGroup var projectOptions: ProjectOptions

  func run() async throws {
    try await reportingErrors {
      let parts = target.split(separator: "/", maxSplits: 2).map(String.init)
      guard parts.count >= 2 else { throw StoreError.badRepository(target) }
      let repository = try RepositoryID(parts[0] + "/" + parts[1])
      let reporter = ProgressReporter(quiet: quiet || json)
      let importer = ModelImporter(cache: .live(environment: ProcessInfo.processInfo.environment)) { path, done, total in
        reporter.update(path, done: done, total: total)
      }
      let source = HubCacheLocation.expandTilde(path, ProcessInfo.processInfo.environment)
      let result = try importer.importModel(
        from: source, as: repository, pathInRepository: parts.count == 3 ? parts[2] : nil, revision: revision)
      if let lockPath = projectOptions.lockPath(Context.command()) {
        var pins = try ProjectLock.load(lockPath)
        for file in result.files {
          pins.record(
            .init(
              repository: result.repository, revision: result.revision, commit: result.commit, path: file.path, size: file.sizeBytes,
              sha256: file.sha256, etag: file.sha256))
        }
        try pins.save(lockPath)
      }
      if json { return try Output.json(result) }
      if !quiet {
        let copied = result.files.filter(\.copied).count
        reporter.note("imported \(result.files.count) file(s) into \(result.repository)@\(result.revision) (\(copied) new blob(s))")
      }
      Output.line(result.path)
    }
  }
}

struct ModelsVerifyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Re-hash stored files and compare each with its recorded digest; exit 1 on any mismatch.")

  @Argument(help: "A repository (ORG/REPO) or catalog id; omit with --all.")
  var ref: String?

  @Flag(name: .long, help: "Verify every repository in the store.")
  var all = false

  @Flag(name: .long, help: "Print every check as JSON.")
  var json = false

  func validate() throws {
    if (ref == nil) == !all { throw ValidationError("give a REF or --all (not both)") }
  }

  func run() async throws {
    try await reportingErrors {
      let cache = HubCache.live(environment: ProcessInfo.processInfo.environment)
      let repositories = try ref.map { [try cache.repository(try storeRepository($0).0)] } ?? cache.repositories()
      let checks = try ModelVerifier(cache: cache).verify(repositories)
      let bad = checks.filter { $0.status == .mismatch || $0.status == .missing }
      if json {
        try Output.json(checks)
      } else {
        for check in checks where check.status != .ok {
          let detail = check.status == .mismatch ? "expected \(check.expected), found \(check.actual ?? "?")" : check.status.rawValue
          Output.line("\(check.status.rawValue.uppercased())  \(check.repository)/\(check.path)@\(check.commit.prefix(12)): \(detail)")
        }
        Output.line("\(checks.count - bad.count) of \(checks.count) file(s) verified")
      }
      if !bad.isEmpty {
        Output.error(
          "\(bad.count) file(s) do not match their digest; remove them with `synapse-local models rm` and fetch or import them again")
        throw ExitCode(1)
      }
    }
  }
}

struct ModelsRemoveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm",
    abstract: "Remove a repository (or one revision) from the store, with the blobs nothing else uses.")

  @Argument(help: "ORG/REPO[@REVISION] or a catalog id.")
  var ref: String

  @Flag(name: .long, help: "Print the result as JSON.")
  var json = false

  func run() async throws {
    try await reportingErrors {
      let (repository, revision) = try storeRepository(ref)
      let result = try ModelRemover(cache: .live(environment: ProcessInfo.processInfo.environment)).remove(repository, revision: revision)
      if json { return try Output.json(result) }
      Output.line(
        "removed \(result.removedSnapshots.count) snapshot(s) and \(result.removedBlobs) blob(s) of \(result.repository), freeing \(ByteCount.format(result.freedBytes))"
      )
    }
  }
}
