import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct RecommendCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "recommend",
    abstract: "Choose the engine, chat model and embedding model for this machine, with tuned flags.",
    discussion: """
      The engine is vLLM only on Linux with an NVIDIA GPU of known compute capability 7.0 or higher, \
      a driver supporting CUDA 12.0 or newer, and enough VRAM for the model's 16-bit weights plus its \
      KV cache; llama.cpp otherwise. The chat model is the best-rated catalog model whose memory \
      estimate fits after the embedding server, PostgreSQL, the backend and a safety margin. \
      docs/recommendation.md gives every rule and docs/estimates.md the memory formula.

      Each candidate's speed is predicted with its plan's flags: generation is bound by memory \
      bandwidth, prompt reading by compute (docs/recommendation.md). The figures come from what \
      `bench` or `tune` measured on this machine, else its calibration (`detect --calibrate`), else a \
      documented per-architecture estimate; the reasons say which. The best-rated model that fits \
      and reaches --min-speed (default 10 tok/s, the guide's CPU figure) is chosen; when none does, \
      the fastest that fits, and the reasons say so.

      Exits with status 1 and says what would fit when nothing does.

      Examples:
        synapse-local recommend
        synapse-local recommend --prefer code
        synapse-local recommend --llm llama-3.1-8b-q4          # plan and predict one model
        synapse-local recommend --llm ./models/my-model.gguf --context 16384
        synapse-local recommend --min-speed 20
        synapse-local recommend --hardware server.json --json   # plan for another machine
      """)

  @Option(
    name: .long, help: ArgumentHelp("Plan for the machine described by this file (the output of `detect --json` there).", valueName: "FILE")
  )
  var hardware: String?

  @Option(name: .long, help: ArgumentHelp("Favour speed, quality or code (default: balanced).", valueName: "PREFERENCE"))
  var prefer: Preference = .balanced

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Use this catalog embedding model instead of the rule's choice (see `synapse-local catalog`).", valueName: "ID"))
  var embedding: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Plan for this context (tokens) instead of the guide's 4096; a longer one costs memory and prompt time.", valueName: "N"))
  var context: Int?

  @Option(name: .long, help: ArgumentHelp("Plan and predict this chat model only: a catalog id or a local .gguf path.", valueName: "REF"))
  var llm: String?

  @OptionGroup var floor: SpeedFloorOption

  @Flag(name: .long, help: "Print the recommendation as JSON (docs/recommendation.md describes the fields).")
  var json = false

  /// The flags given here that `init` takes too, so the plan it writes is the one shown.
  var nextFlags: String {
    var flags: [String] = []
    if let hardware { flags += ["--hardware", hardware] }
    if prefer != .balanced { flags += ["--prefer", prefer.rawValue] }
    if let llm { flags += ["--llm", llm] }
    if let embedding { flags += ["--embedding", embedding] }
    if let context { flags += ["--context", String(context)] }
    if floor.minSpeed != Recommender.defaultMinimumSpeed { flags += ["--min-speed", String(format: "%g", floor.minSpeed)] }
    return flags.map { " " + ($0.contains(" ") ? "'\($0)'" : $0) }.joined()
  }

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      var request = RecommendationRequest(hardwareFile: hardware)
      request.preference = prefer
      request.embedding = embedding
      request.llm = llm
      request.context = self.context
      request.minimumSpeed = floor.minSpeed
      let recommendation = try await request.recommend(ctx, catalog: try ctx.catalog())
      if json {
        try ctx.output.json(recommendation)
      } else {
        RecommendationTable.print(recommendation, to: ctx.output)
        ctx.output.print()
        ctx.output.print("Next: synapse-local init --project DIR\(nextFlags) writes this plan into a project (DIR: your Synapse checkout)")
      }
    }
  }

}
