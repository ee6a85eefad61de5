import Foundation
import SynapseLocalCore
import SynapseLocalSystem

enum BenchTable {
  static func print(_ report: BenchReport, to output: any OutputSink) {
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
    output.table(rows, indent: 0)
    if report.received != nil {
      output.print("prompt and generation are the engine's own timings of whole replies; \"received\" is one streamed reply timed here.")
    }
    let floor = Recommender.defaultMinimumSpeed
    if median.generationTokensPerSecond < floor {
      output.print(
        "\(SpeedEstimate.format(median.generationTokensPerSecond)) is under the guide's \(SpeedEstimate.format(floor)) floor for a chat that feels responsive: `synapse-local tune` for the flags, or a smaller model (`synapse-local recommend`)."
      )
    }
    if report.contended {
      output.print("Measured through the stable endpoint while the stack runs: contended figures, shared with other clients.")
    }
  }
}
