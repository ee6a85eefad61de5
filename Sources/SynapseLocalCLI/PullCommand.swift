import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct PullCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "pull",
    abstract: "Download models from Hugging Face into the store, SHA-256-verified and resumable.",
    discussion: """
      REF is a catalog id, ORG/REPO (a repository) or ORG/REPO/PATH/IN/REPO (one file), with an \
      optional @REVISION (branch, tag or commit). Without a REF, inside a project, the project's \
      models are pulled.

      What is fetched follows the model's role in the project and its engine: for llama.cpp the \
      GGUF file; for vLLM the safetensors repository (the files at its root that are not weights, \
      and the safetensors files its index names; never original/, consolidated*, *.pth, *.bin or \
      *.gguf); for the embedding model its sentence-transformers folder. A repository pulled on its \
      own is taken as sentence-transformers when it has modules.json, as safetensors when it has \
      them at its root, else whole. --include and --exclude choose the files of a repository \
      instead, as huggingface_hub's allow and ignore patterns do (globs where * crosses /, and a \
      pattern ending in / is a folder); the lock records them, so a later pull fetches the same set.

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
        synapse-local pull
        synapse-local pull sentence-transformers/all-MiniLM-L6-v2
        synapse-local pull Qwen/Qwen2.5-7B-Instruct --exclude 'original/*' --exclude '*.pth'
        synapse-local pull bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf@main --json
      """)

  @Argument(
    help: ArgumentHelp("Model REFs (default: the project's llm and embedding models).", valueName: "REF"),
    transform: ModelReference.argument)
  var refs: [ModelReference] = []

  @Option(name: .long, help: ArgumentHelp("Fetch only the repository files that match this glob (repeatable).", valueName: "GLOB"))
  var include: [String] = []

  @Option(name: .long, help: ArgumentHelp("Skip the repository files that match this glob (repeatable).", valueName: "GLOB"))
  var exclude: [String] = []

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

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: quiet || json)
    try await reportingErrors(ctx.output) {
      let results = try await ModelFetcher(context: ctx, catalog: try ctx.catalog()).pull(
        refs, project: projectOptions.project.folder(ctx), lockPath: projectOptions.lockPath(ctx),
        patterns: FilePatterns(include: include, exclude: exclude), update: update, connections: connections)
      if json { return try ctx.output.json(results) }
      for result in results { ctx.output.print(result.path) }
    }
  }
}
