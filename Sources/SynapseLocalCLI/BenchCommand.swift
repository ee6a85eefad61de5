import ArgumentParser
import Foundation
import SynapseLocalCore

struct BenchCommand: AsyncParsableCommand {
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

  func run() async throws {
    try await reportingErrors {
      let context = Context.command(quiet: json)
      var request = ModelBench.Request(ref: ref, project: project.folder(context))
      request.throughEndpoint = throughEndpoint
      request.workload = options.workload
      var bench = ModelBench(context: context, catalog: try context.catalog())
      let quiet = json
      bench.progress = { step in if !quiet { Output.note("bench: \(step)") } }
      let service = bench
      let order = request
      let report = try await cancellingOnSignals { try await service.run(order) }
      if json {
        try Output.json(report)
      } else {
        BenchTable.print(report)
      }
    }
  }
}

enum BenchTable {
  static func print(_ report: BenchReport) {
    let median = report.median
    let prediction = report.prediction
    func beside(_ measured: Double, _ predicted: Double?) -> String {
      let figure = SpeedEstimate.format(measured)
      guard let predicted else { return figure }
      let off = (measured / predicted - 1) * 100
      return figure.padding(toLength: 12, withPad: " ", startingAt: 0)
        + "predicted \(SpeedEstimate.format(predicted)) (\(String(format: "%+.0f%%", off)))"
    }
    var rows: [(String, String)] = [
      ("model", "\(report.model) as \(report.servedName) on \(report.engine.rawValue)"),
      ("flags", report.flags.isEmpty ? "the project's" : report.flags.joined(separator: " ")),
      (
        "requests",
        "\(report.samples.count) of \(report.workload.promptTokens) prompt + \(report.workload.generatedTokens) generated tokens, after \(report.workload.warmups) warm-up"
      ),
      ("prompt", beside(median.promptTokensPerSecond, prediction?.promptTokensPerSecond)),
      ("generation", beside(median.generationTokensPerSecond, prediction?.generationTokensPerSecond)),
      ("first token", String(format: "%.2f s", median.timeToFirstTokenSeconds)),
    ]
    if let received = report.received {
      rows.append(
        (
          "received",
          "\(SpeedEstimate.format(received.generationTokensPerSecond)) generation, first token after \(String(format: "%.2f s", received.timeToFirstTokenSeconds)), as a streaming client sees them"
        ))
    }
    rows.append(("peak memory", report.peakResidentBytes.map { ByteCount.format($0) } ?? "not measured through the endpoint"))
    if let prediction { rows.append(("prediction", "\(prediction.source.rawValue) (docs/recommendation.md)")) }
    Output.table(rows, indent: 0)
    if report.received != nil {
      Output.line("prompt and generation are the engine's own timings of whole replies; \"received\" is one streamed reply timed here.")
    }
    let floor = Recommender.defaultMinimumSpeed
    if median.generationTokensPerSecond < floor {
      Output.line(
        "\(SpeedEstimate.format(median.generationTokensPerSecond)) is under the guide's \(SpeedEstimate.format(floor)) floor for a chat that feels responsive: `synapse-local tune` for the flags, or a smaller model (`synapse-local recommend`)."
      )
    }
    if report.contended {
      Output.line("Measured through the stable endpoint while the stack runs: contended figures, shared with other clients.")
    }
  }
}
