import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct SwapCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "swap",
    abstract: "Swap the running llm or embedding model without failing a request.",
    discussion: """
      Clients keep calling the same endpoint (LOCAL_LLM_ENDPOINT, LOCAL_EMBEDDING_ENDPOINT); the \
      supervisor serves it and moves it to the new engine:

      Side by side, when memory holds both models: the new engine loads while the old one serves; \
      new requests then go to the new one, and the old one finishes what it has and stops. Nobody waits.

      Hold, otherwise (or with --hold, or with vLLM): new requests wait at the endpoint while the \
      old engine finishes and stops and the new one loads, up to the hold limit (llm.timeout_ms \
      less 2 s; embedding.hold_seconds). swap warns first when the new model's expected load (its \
      last load, or an estimate from its size) is longer than that.

      A backend started before the swap keeps sending the old model name: the endpoint renames it \
      to the new model. A model that does not become healthy leaves the old one serving, and swap \
      says why. The model is pulled first if it is not in the store. Afterwards synapse-local.yaml \
      names the new model and .env and the compose file are generated again, so the next `up` uses it.

      An embedding model with another vector size makes the stored vectors useless: swap refuses \
      unless --allow-dimension-change, and then lists the pgvector columns to re-embed.

      For the chat model, --context N sets a new context with it, and the new model's speed is \
      predicted (or taken from `bench`/`tune`): under --min-speed (default 10 tok/s) swap warns. \
      LOCAL_LLM_TIMEOUT follows the new prediction.

      Examples:
        synapse-local swap llm gemma-3-270m-q4
        synapse-local swap llm llama-3.2-3b-q5 --context 8192
        synapse-local swap llm bartowski/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf --hold
        synapse-local swap embedding ./models/my-minilm --json
      """)

  @OptionGroup var project: ProjectOption

  @Argument(help: ArgumentHelp("llm or embedding.", valueName: "SERVICE"))
  var swapped: SwapService
  var service: ServiceName { swapped.name }

  @Argument(
    help: ArgumentHelp("The new model (a REF: catalog id, org/repo[/file.gguf][@revision], or a local path).", valueName: "REF"),
    transform: ModelReference.argument)
  var model: ModelReference

  @Flag(name: .long, help: "Stop the old engine before the new one loads, holding requests meanwhile, even when memory would hold both.")
  var hold = false

  @Flag(
    name: .customLong("allow-dimension-change"),
    help: "Swap the embedding model even though its vectors have another size (stored vectors must then be re-embedded).")
  var allowDimensionChange = false

  @Option(
    name: .long,
    help: ArgumentHelp("The chat model's context (tokens) after the swap (default: the project's).", valueName: "N"))
  var context: Int?

  @Option(
    name: .customLong("min-speed"),
    help: ArgumentHelp("Warn when the new chat model is predicted slower than this, in tokens per second (default 10).", valueName: "TOKS"))
  var minSpeed: Double?

  @Flag(
    name: .customLong("keep-old"),
    help: "Keep the old model's pins in synapse-local.lock (by default they are dropped, so a bundle does not carry it).")
  var keepOld = false

  @Flag(name: .long, help: "Print the swap's report as JSON.")
  var json = false

  func validate() throws {
    guard service == .llm || service == .embedding else {
      throw ValidationError("only llm and embedding have models to swap, not \(service.rawValue)")
    }
    if allowDimensionChange && service != .embedding { throw ValidationError("--allow-dimension-change applies to `swap embedding` only") }
    if (context != nil || minSpeed != nil) && service != .llm {
      throw ValidationError("--context and --min-speed apply to `swap llm` only")
    }
    if let context, !(256...1_048_576).contains(context) { throw ValidationError("--context must be between 256 and 1048576 tokens") }
    if let minSpeed, !(minSpeed >= 0 && minSpeed.isFinite) { throw ValidationError("--min-speed must be 0 or more tokens per second") }
  }

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      // A path typed here is relative to where it was typed; the project file keeps it absolute.
      let typed = model.typed(workingDirectory: ctx.workingDirectory)
      let order = SwapOrder(
        service: service, model: typed, hold: hold, allowDimensionChange: allowDimensionChange, context: self.context,
        minimumSpeed: minSpeed)
      let json = self.json
      let (report, plan, pruned) = try await ModelSwap(context: ctx, catalog: try ctx.catalog()).swap(
        order, project: project.folder(ctx), keepOld: keepOld
      ) { plan in
        guard !json else { return }
        ctx.output.info(
          "swapping \(plan.service.rawValue) from \(plan.from ?? "?") to \(plan.model): \(plan.mode.rawValue) mode (\(plan.reason))")
        for warning in plan.warnings { ctx.output.warning(warning) }
      }
      for entry in pruned {
        ctx.output.info(
          "synapse-local.lock no longer pins \(entry.repository)/\(entry.path) (the project does not use it; --keep-old keeps it)")
      }
      if json { return try ctx.output.json(report) }
      ctx.output.print(
        "swapped \(service.rawValue) to \(report.model ?? typed.description) in \(report.switchMilliseconds) ms (\(report.mode.rawValue): model loaded in \(report.loadMilliseconds) ms; \(report.heldRequests) request(s) held, longest wait \(report.longestWaitMilliseconds) ms)"
      )
      for warning in report.warnings where !plan.warnings.contains(warning) { ctx.output.warning(warning) }
      if let reembed = report.reembed {
        ctx.output.print(
          reembed.isEmpty
            ? "no pgvector column holds vectors yet: nothing to re-embed"
            : "the vector size changed from \(plan.currentDimensions ?? 0) to \(plan.dimensions ?? 0); re-embed the rows of:")
        for column in reembed { ctx.output.print("  \(column.column)  \(column.type), \(column.rows) row(s)") }
      }
    }
  }
}
