/// What one `tune` run measured and chose: printed, appended to `<state>/tune/results.json`, and
/// summed up in a comment in synapse-local.yaml (docs/speed.md describes the fields).
public struct TuneReport: Codable, Sendable, Equatable {
  public struct Trial: Codable, Sendable, Equatable {
    public var flags: [String]
    /// Seconds for the reference request at the measured medians; nil when the engine failed.
    public var seconds: Double?
    public var promptTokensPerSecond: Double?
    public var generationTokensPerSecond: Double?
    public var error: String?

    enum CodingKeys: String, CodingKey {
      case flags, seconds, error
      case promptTokensPerSecond = "prompt_tokens_per_second"
      case generationTokensPerSecond = "generation_tokens_per_second"
    }
  }

  public var takenAt: String
  public var machine: MachineFingerprint
  public var model: String
  public var workload: BenchWorkload
  public var budgetSeconds: Double
  public var elapsedSeconds: Double
  /// `converged` (a pass changed nothing) or `budget`.
  public var stoppedBy: String
  /// The flags the project had, and the best found.
  public var start: Trial
  public var best: Trial
  public var trials: [Trial]
  /// The project file written, or nil when the project's flags were already the best.
  public var projectFile: String?
  public var resultsFile: String
  public var warnings: [String] = []

  enum CodingKeys: String, CodingKey {
    case machine, model, workload, start, best, trials, warnings
    case takenAt = "taken_at"
    case budgetSeconds = "budget_seconds"
    case elapsedSeconds = "elapsed_seconds"
    case stoppedBy = "stopped_by"
    case projectFile = "project_file"
    case resultsFile = "results_file"
  }
}
