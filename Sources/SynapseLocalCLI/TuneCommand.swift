import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct TuneCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "tune",
    abstract: "Search the llama.cpp flags that make the project's chat model fastest here, and write the best.",
    discussion: """
      Measures the project's chat model with `bench` while varying the flags that matter on this \
      machine: threads (-t, and -tb with 4 or more cores), batch sizes (-ub, -b), flash attention \
      (-fa), --mlock when the weights take under half the memory, and GPU layers on a partial \
      offload. The search starts from the project's flags and moves one flag at a time to its best \
      value, until a pass changes nothing or --budget would be overrun; it measures a fraction of \
      the full grid (docs/speed.md).

      The best flags go into synapse-local.yaml with the figures in a comment, and the generated \
      files follow; every result is kept in the state folder's tune/results.json, and later \
      recommendations on this machine use the measured figures. Restart the llm service to use them \
      in a running stack.

      Examples:
        synapse-local tune
        synapse-local tune --budget 120 --runs 1
      """)

  @OptionGroup var project: ProjectOption
  @OptionGroup var options: BenchOptions

  @Option(name: .long, help: ArgumentHelp("Seconds the search may spend measuring (default 300).", valueName: "SECONDS"))
  var budget: Double = 300

  @Flag(name: .long, help: "Print the results as JSON (docs/speed.md describes the fields).")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      var request = ProjectTuner.Request(project: project.folder(ctx))
      request.budgetSeconds = budget
      request.workload = options.workload
      var tuner = ProjectTuner(context: ctx, catalog: try ctx.catalog())
      let quiet = json
      tuner.progress = { step in if !quiet { ctx.output.note("tune: \(step)") } }
      let service = tuner
      let order = request
      let report = try await cancellingOnSignals { try await service.run(order) }
      if json {
        try ctx.output.json(report)
        return
      }
      func figures(_ trial: TuneReport.Trial) -> String {
        let prompt = trial.promptTokensPerSecond.map(SpeedEstimate.format) ?? "?"
        let generation = trial.generationTokensPerSecond.map(SpeedEstimate.format) ?? "?"
        return "\(prompt) prompt, \(generation) generation, \(String(format: "%.2f", trial.seconds ?? 0)) s per reference request"
      }
      ctx.output.table(
        [
          ("model", report.model),
          ("measured", "\(report.trials.count) flag sets in \(Int(report.elapsedSeconds.rounded())) s (stopped: \(report.stoppedBy))"),
          ("before", "\(report.start.flags.joined(separator: " "))  \(figures(report.start))"),
          ("best", "\(report.best.flags.joined(separator: " "))  \(figures(report.best))"),
          ("results", report.resultsFile),
        ], indent: 0)
      for warning in report.warnings { ctx.output.warning(warning) }
      if let file = report.projectFile {
        ctx.output.print("Wrote the best flags into \(file); restart the llm service of a running stack to use them.")
      } else {
        ctx.output.print("The project's flags were already the best measured; synapse-local.yaml is unchanged.")
      }
    }
  }
}
