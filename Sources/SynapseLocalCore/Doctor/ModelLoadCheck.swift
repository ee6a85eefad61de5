import Foundation
import SynapseLocalSystem

/// `engine.load` (`--deep`): the engine really loads the chat model with the project's flags, on
/// a free loopback port, and answers a two-token request.
public struct ModelLoadCheck: DoctorCheck {
  public let id = "engine.load"
  public let deep = true
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    guard subject.llmProblem == nil else { return .skipped(id, "the chat model is not in the store (see models.files)") }
    // A second copy beside the running engine could run the machine out of memory; the running
    // one is asked by endpoints.llm instead.
    if let llm = subject.service(.llm), llm.state == .healthy {
      return .skipped(id, "the running stack's engine has the model loaded (endpoints.llm asks it)")
    }
    let bench = ModelBench(context: subject.context, catalog: subject.catalog)
    do {
      let target = try await bench.target(ref: nil, project: subject.project, hardware: subject.hardware)
      let report = try await EngineBench(context: subject.context, hardware: subject.hardware).measure(
        target, workload: BenchWorkload(promptTokens: 8, generatedTokens: 2, runs: 1, warmups: 0))
      let first = report.median.timeToFirstTokenSeconds
      return .ok(id, "\(target.modelLabel) loads and answers (first token in \(String(format: "%.2f", first)) s)")
    } catch {
      let text = String(describing: error)
      let cause = LogCause.recognize(text)
      return .failure(
        id,
        "the engine does not load \(subject.configuration.llm.model): \(text.split(separator: "\n").first ?? "")\(cause.map { " (\($0.summary))" } ?? "")",
        fix: cause?.fix ?? "synapse-local logs llm\(subject.projectFlag)")
    }
  }
}
