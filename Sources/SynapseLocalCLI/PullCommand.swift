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

  @Argument(help: ArgumentHelp("One or more model REFs.", valueName: "REF"))
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
      let context = Context.command(quiet: quiet || json)
      let options = ModelFetcher.Options(lockPath: projectOptions.lockPath(context), update: update, connections: connections)
      let results = try await ModelFetcher(context: context, catalog: try context.catalog()).pull(refs, options: options)
      if json { return try Output.json(results) }
      for result in results { Output.line(result.path) }
    }
  }
}
