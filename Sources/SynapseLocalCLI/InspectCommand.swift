import ArgumentParser
import Foundation
import SynapseLocalCore

struct InspectCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Read a GGUF model's header: architecture, shape, quantization and every metadata key.",
    discussion: """
      Reads only the header and the tensor table (never the weights), so it takes milliseconds on a \
      multi-gigabyte file. Damaged files (truncated, wrong magic, absurd counts) give a one-line error.

      REF is a local path (starting with /, ./, ../ or ~), a catalog id (its GGUF file), or a file on \
      the Hub, ORG/REPO/PATH/IN/REPO[@REVISION]: then only the header is fetched, with HTTP Range \
      requests (typically a few MB of a multi-GB file), so you learn whether a model fits before \
      downloading it. The memory estimate is for --context tokens (docs/estimates.md). Arrays in the \
      metadata (a tokenizer's vocabulary) show their length and first elements.

      Examples:
        synapse-local inspect ./SmolLM2-135M-Instruct.Q4_1.gguf
        synapse-local inspect llama-3.2-3b-q4 --context 8192
        synapse-local inspect bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf --json | jq .context_length
      """)

  @Argument(
    help: ArgumentHelp("A GGUF file: a local path, a catalog id, or ORG/REPO/PATH/IN/REPO[@REVISION] on the Hub.", valueName: "REF"),
    transform: ModelReference.argument)
  var ref: ModelReference

  @Option(name: .long, help: ArgumentHelp("The context size the memory estimate is for.", valueName: "N"))
  var context = 4096

  @Flag(name: .long, help: "Print everything as JSON (docs/gguf.md describes the fields).")
  var json = false

  func validate() throws {
    guard (256...(1 << 24)).contains(context) else { throw ValidationError("--context must be between 256 and 16777216 tokens") }
  }

  /// Local files are read in place; Hub files by their header alone.
  func run() async throws {
    try await reportingErrors {
      let environment = ProcessInfo.processInfo.environment
      var info: GGUFModelInfo
      var transferred: UInt64?
      switch ref {
      case .local(let path):
        let expanded = HubCacheLocation.expandTilde(path, environment)
        info = GGUFModelInfo(file: try GGUFReader.read(path: expanded), path: expanded)
      case .catalog(let id, _) where FileManager.default.fileExists(atPath: id):
        throw UsageProblem("'\(id)' reads as a catalog id; to inspect the file of that name, write ./\(id)")
      case .catalog, .hub:
        // The same rule as pull: a catalog chat model's GGUF for llama.cpp, the file a REF names.
        let location = try ModelLocation.of(ref, role: .llm, engine: .llamaCpp, catalog: try Context.command().catalog())
        guard case .hub(let target) = location, let file = target.file else {
          throw UsageProblem("'\(ref)' is not one GGUF file; inspect reads a GGUF header: give ORG/REPO/FILE.gguf or a catalog id")
        }
        (info, transferred) = try await remote(target.repository.description, path: file, revision: target.revision)
      }
      let estimate = MemoryEstimate.llamaCpp(info, context: context)
      let catalogTemplate = (try? Context.command(quiet: true).catalog())?.models.first { model in
        model.gguf.map { info.path.hasSuffix("/" + $0.file) || info.path.contains("/\($0.file)@") } ?? false
      }?.chatTemplate
      if let warning = ChatTemplate.warning(
        metadata: info.metadata, model: (info.path as NSString).lastPathComponent, configured: "", suggestion: catalogTemplate)
      {
        Output.warning(warning)
      }
      if json {
        try Output.json(InspectOutput(info: info, estimate: estimate, transferredBytes: transferred))
      } else {
        GGUFTable.print(info)
        Output.line()
        Output.line(
          "Memory estimate for llama.cpp at \(context) tokens: \(ByteCount.format(estimate.totalBytes)) (weights \(ByteCount.format(estimate.weightsBytes)) + KV cache \(ByteCount.format(estimate.kvCacheBytes)) + compute \(ByteCount.format(estimate.computeBytes)))"
        )
        if let transferred {
          Output.line("Read remotely: \(ByteCount.format(transferred)) of \(ByteCount.format(info.fileSizeBytes)) fetched")
        }
      }
    }
  }

  func remote(_ repository: String, path: String, revision: String) async throws -> (GGUFModelInfo, UInt64) {
    let environment = ProcessInfo.processInfo.environment
    if HubOffline.isSet(environment) {
      throw StoreError.offline("\(repository)/\(path)")
    }
    let id = try RepositoryID(repository)
    let result = try await RemoteGGUF(hub: .live(environment: environment, transport: CurlTransport(), time: SystemTime())).read(
      id, revision: revision, path: path)
    return (GGUFModelInfo(file: result.file, path: "\(repository)/\(path)@\(result.metadata.commit)"), result.transferredBytes)
  }
}

/// `inspect --json`: the header's facts, the estimate, and for Hub files the bytes fetched.
struct InspectOutput: Encodable {
  var info: GGUFModelInfo
  var estimate: MemoryEstimate
  var transferredBytes: UInt64?

  enum CodingKeys: String, CodingKey {
    case estimate
    case transferredBytes = "transferred_bytes"
  }

  func encode(to encoder: any Encoder) throws {
    try info.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(estimate, forKey: .estimate)
    try c.encode(transferredBytes, forKey: .transferredBytes)
  }
}

enum GGUFTable {
  static func print(_ info: GGUFModelInfo) {
    let optional = { (value: Int64?) in value.map(String.init) ?? "not stated" }
    Output.table(
      [
        ("file", "\(info.path) (\(ByteCount.format(info.fileSizeBytes)), GGUF v\(info.version))"),
        ("architecture", info.architecture ?? "not stated"),
        ("name", info.name ?? "not stated"),
        ("block_count", optional(info.blockCount)),
        ("context_length", optional(info.contextLength)),
        ("embedding_length", optional(info.embeddingLength)),
        ("head_count", optional(info.headCount)),
        ("head_count_kv", optional(info.headCountKV)),
        ("file type", info.fileType),
        (
          "tensors",
          "\(info.tensorCount) (\(info.tensorTypes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))"
        ),
        ("tensor bytes", "\(info.tensorBytes) (\(ByteCount.format(info.tensorBytes)))"),
        ("parameters", "\(info.parameterCount)"),
      ], indent: 0)
    Output.line()
    Output.line("Metadata (\(info.metadata.count) keys)")
    Output.table(info.metadata.map { ($0.key, "\($0.value.typeName) \($0.value.display)") })
  }
}
