import Foundation
import SynapseLocalSystem

/// Measures a point with `bench`'s engine run and keeps each report.
actor BenchRunner: TuneRunner {
  let bench: EngineBench
  let target: EngineBench.Target
  let workload: BenchWorkload
  let progress: @Sendable (String) -> Void
  var reports: [TunePoint: BenchReport] = [:]

  init(bench: EngineBench, target: EngineBench.Target, workload: BenchWorkload, progress: @escaping @Sendable (String) -> Void) {
    self.bench = bench
    self.target = target
    self.workload = workload
    self.progress = progress
  }

  func measure(_ point: TunePoint) async throws -> Double {
    var target = target
    target.llm = TuneSpace.apply(point, to: target.llm)
    let flags = EngineArguments.llamaCppSpeedFlags(target.llm).joined(separator: " ")
    let report = try await bench.measure(target, workload: workload)
    reports[point] = report
    progress(
      "\(flags): \(SpeedEstimate.format(report.median.promptTokensPerSecond)) prompt, \(SpeedEstimate.format(report.median.generationTokensPerSecond)) generation"
    )
    return report.referenceSeconds
  }
}
