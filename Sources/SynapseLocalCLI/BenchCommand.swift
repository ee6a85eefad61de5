import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct BenchCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure a chat model with the real engine: prompt and generation tokens/s, time to first token, peak memory.",
    discussion: """
      Starts the engine (llama-server, or vLLM in a vLLM project) on a free loopback port with the \
      project's flags, sends warm-up requests, then --runs requests of exactly --prompt-tokens \
      prompt tokens and --tokens generated ones, and reports the medians with the prediction beside \
      them. The figures are kept in SYNAPSE_LOCAL_HOME: later recommendations on this machine use \
      them instead of predictions.

      REF is a catalog id, ORG/REPO/FILE.gguf or a local path; without it, the project's chat model. \
      Outside a project, REF runs on llama.cpp with one thread per effective core.

      --through-endpoint measures the running stack's model through its stable endpoint instead of \
      starting an engine; other clients share the engine then, so the figures are marked contended.

      Examples:
        synapse-local bench                                  # the project's chat model and flags
        synapse-local bench ./models/gemma-3-270m-q4_k_m.gguf --runs 5
        synapse-local bench --through-endpoint --json
      """)

  @Argument(
    help: ArgumentHelp("The model to measure (default: the project's chat model).", valueName: "REF"), transform: ModelReference.argument)
  var ref: ModelReference?

  @OptionGroup var project: ProjectOption
  @OptionGroup var options: BenchOptions

  @Flag(name: .customLong("through-endpoint"), help: "Measure the running stack through its stable endpoint (figures marked contended).")
  var throughEndpoint = false

  @Flag(name: .long, help: "Print the report as JSON, with every sample (docs/speed.md).")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      var request = ModelBench.Request(ref: ref, project: project.folder(ctx))
      request.throughEndpoint = throughEndpoint
      request.workload = options.workload
      var bench = ModelBench(context: ctx, catalog: try ctx.catalog())
      let quiet = json
      bench.progress = { step in if !quiet { ctx.output.note("bench: \(step)") } }
      let service = bench
      let order = request
      let report = try await cancellingOnSignals { try await service.run(order) }
      if json {
        try ctx.output.json(report)
      } else {
        BenchTable.print(report, to: ctx.output)
      }
    }
  }
}
