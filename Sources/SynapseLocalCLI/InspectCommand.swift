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

      REF is a local path starting with /, ./, ../ or ~ (for example ./models/model.gguf). Arrays in \
      the metadata (a tokenizer's vocabulary) show their length and first elements.

      Examples:
        synapse-local inspect ./SmolLM2-135M-Instruct.Q4_1.gguf
        synapse-local inspect ~/models/gemma-3-270m-q4_k_m.gguf --json | jq .context_length
      """)

  @Argument(help: "The GGUF file: a path starting with /, ./, ../ or ~.")
  var ref: String

  @Flag(name: .long, help: "Print everything as JSON (docs/gguf.md describes the fields).")
  var json = false

  func run() async throws {
    try await reportingErrors {
      let path = try localPath()
      let file = try GGUFReader.read(path: path)
      let info = GGUFModelInfo(file: file, path: path)
      if json {
        try Output.json(info)
      } else {
        GGUFTable.print(info)
      }
    }
  }

  func localPath() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    switch try ModelReference(parsing: ref) {
    case .local(let path):
      return HubCacheLocation.expandTilde(path, environment)
    case .catalog(let id, _) where FileManager.default.fileExists(atPath: id):
      throw UsageProblem("'\(id)' reads as a catalog id; to inspect the file of that name, write ./\(id)")
    case let other:
      throw UsageProblem("inspecting \(other) on the Hub is not available yet; download the file and pass its path (starting with /, ./, ../ or ~)")
    }
  }
}

enum GGUFTable {
  static func print(_ info: GGUFModelInfo) {
    let optional = { (value: Int64?) in value.map(String.init) ?? "not stated" }
    Output.table([
      ("file", "\(info.path) (\(ByteCount.format(info.fileSizeBytes)), GGUF v\(info.version))"),
      ("architecture", info.architecture ?? "not stated"),
      ("name", info.name ?? "not stated"),
      ("block_count", optional(info.blockCount)),
      ("context_length", optional(info.contextLength)),
      ("embedding_length", optional(info.embeddingLength)),
      ("head_count", optional(info.headCount)),
      ("head_count_kv", optional(info.headCountKV)),
      ("file type", info.fileType),
      ("tensors", "\(info.tensorCount) (\(info.tensorTypes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))"),
      ("tensor bytes", "\(info.tensorBytes) (\(ByteCount.format(info.tensorBytes)))"),
      ("parameters", "\(info.parameterCount)"),
    ], indent: 0)
    Output.line()
    Output.line("Metadata (\(info.metadata.count) keys)")
    Output.table(info.metadata.map { ($0.key, "\($0.value.typeName) \($0.value.display)") })
  }
}
