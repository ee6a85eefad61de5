import ArgumentParser
import Foundation
import SynapseLocalCore

struct PullCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pull",
    abstract: "Download models from Hugging Face into the store, SHA-256-verified and resumable.",
    discussion: """
      REF is a catalog id (its GGUF file, or an embedding model's repository), ORG/REPO (the whole \
      repository) or ORG/REPO/PATH/IN/REPO (one file), with an optional @REVISION (branch, tag or commit).

      Every file is hashed while it downloads and compared with the Hub's digest (SHA-256 for LFS \
      files, the git blob SHA-1 for small ones); a mismatch stores nothing. An interrupted download \
      resumes from its partial file. A large file is fetched over several \
      ranged connections at once (--connections), still hashed in order as it arrives. A file already in the store (from synapse-local or \
      huggingface_hub) is reused without downloading.

      In a project (a folder with synapse-local.yaml, see --project) every file is pinned in \
      synapse-local.lock: repository, revision, commit, path, size and digests. A later pull that \
      meets a different file fails unless --update.

      Environment: HF_ENDPOINT (default https://huggingface.co), HF_TOKEN (else the token file \
      huggingface_hub writes; it is sent to the Hub only, never to the download CDN), HF_HUB_CACHE / \
      HF_HOME (the store), HF_HUB_OFFLINE=1 (never touch the network).

      Examples:
        synapse-local pull llama-3.2-3b-q4
        synapse-local pull sentence-transformers/all-MiniLM-L6-v2
        synapse-local pull bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf@main --json
      """)

  @Argument(help: "One or more model REFs.")
  var refs: [String]

  @Flag(name: .long, help: "Print JSON: per REF the path, repository, revision, commit and files (size, sha256).")
  var json = false

  @Flag(name: .long, help: "Print nothing but errors (and the paths).")
  var quiet = false

  @OptionGroup var projectOptions: ProjectOptions

  @Option(name: .long, help: ArgumentHelp("Parallel ranged connections per large file (1-16; files under 32 MiB use one).", valueName: "N"))
  var connections = RangePlan.defaultConnections

  @Flag(name: .long, help: "Accept files that differ from what the lock pins, and pin the new ones.")
  var update = false

  func validate() throws {
    guard (1...16).contains(connections) else {
      throw ValidationError("--connections must be between 1 and 16, not \(connections)")
    }
  }

  func run() async throws {
    try await reportingErrors {
      let environment = ProcessInfo.processInfo.environment
      let reporter = ProgressReporter(quiet: quiet || json)
      var puller = ModelPuller(
        cache: .live(environment: environment), hub: .live(environment: environment, transport: CurlTransport()),
        offline: ["1", "true", "yes", "on"].contains(environment["HF_HUB_OFFLINE"]?.lowercased() ?? "")
      ) { path, done, total in reporter.update(path, done: done, total: total) }
      let lockPath = projectOptions.lockPath
      if let lockPath { puller.lock = try ProjectLock.load(lockPath) }
      puller.updateLock = update
      puller.connections = connections
      var results: [ModelPuller.Result] = []
      for ref in refs {
        let (repository, path, revision) = try pullTarget(ref)
        let (result, pins) = try await puller.pullFiles(repository, path: path, revision: revision)
        results.append(result)
        if let lockPath, let pins, pins != puller.lock {
          try pins.save(lockPath)
          puller.lock = pins
        }
      }
      if json { return try Output.json(results) }
      for result in results { Output.line(result.path) }
    }
  }

  /// What a REF asks to download: repository, file (nil for all) and revision.
  func pullTarget(_ ref: String) throws -> (RepositoryID, String?, String) {
    switch try ModelReference(parsing: ref) {
    case .hub(let repository, let path, let revision):
      return (try RepositoryID(repository), path, revision ?? "main")
    case .catalog(let id, let revision):
      let model = try ResourceLocator.forCommand().loadCatalog().model(id: id)
      if model.role == .llm, let gguf = model.gguf {
        return (try RepositoryID(gguf.repository), gguf.file, revision ?? gguf.revision ?? "main")
      }
      guard let repository = model.repository else { throw UsageProblem("catalog model \(id) names no repository") }
      return (try RepositoryID(repository), nil, revision ?? "main")
    case .local(let path):
      throw UsageProblem("'\(path)' is a local path; `synapse-local models import` puts local files into the store")
    }
  }
}
