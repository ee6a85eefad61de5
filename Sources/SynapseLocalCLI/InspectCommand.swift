import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct InspectCommand: ContextCommand {
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

  func run() async throws { try await run(.command()) }

  /// Local files are read in place; Hub files by their header alone.
  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let inspection = try await ModelInspector(context: ctx).inspect(ref, contextSize: context)
      let (info, estimate) = (inspection.info, inspection.estimate)
      if let warning = inspection.chatTemplateWarning { ctx.output.warning(warning) }
      if json {
        try ctx.output.json(InspectOutput(info: info, estimate: estimate, transferredBytes: inspection.transferredBytes))
      } else {
        GGUFTable.print(info, to: ctx.output)
        ctx.output.print()
        ctx.output.print(
          "Memory estimate for llama.cpp at \(context) tokens: \(ByteCount.format(estimate.totalBytes)) (weights \(ByteCount.format(estimate.weightsBytes)) + KV cache \(ByteCount.format(estimate.kvCacheBytes)) + compute \(ByteCount.format(estimate.computeBytes)))"
        )
        if let transferred = inspection.transferredBytes {
          ctx.output.print("Read remotely: \(ByteCount.format(transferred)) of \(ByteCount.format(info.fileSizeBytes)) fetched")
        }
      }
    }
  }
}
