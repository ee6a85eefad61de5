import Foundation
import SynapseLocalSystem

/// `tune` as a service: searches the speed flags of the project's chat model on this machine with
/// real measurements (`bench`'s), writes the best into synapse-local.yaml with the figures in a
/// comment, regenerates the generated files, keeps every result, and records the best figures for
/// later recommendations.
public struct ProjectTuner: Sendable {
  public struct Request: Sendable {
    public var project: String
    /// Seconds the search may spend measuring.
    public var budgetSeconds: Double = 300
    public var workload = BenchWorkload()

    public init(project: String) {
      self.project = project
    }
  }

  public var context: Context
  public var catalog: ModelCatalog
  public var progress: @Sendable (String) -> Void = { _ in }

  public init(context: Context, catalog: ModelCatalog) {
    self.context = context
    self.catalog = catalog
  }

  public func run(_ request: Request) async throws -> TuneReport {
    guard request.budgetSeconds >= 10, request.budgetSeconds <= 86_400 else {
      throw TuneError.badRequest("--budget must be between 10 and 86400 seconds")
    }
    try request.workload.check()
    let project = request.project
    guard context.files.exists(ProjectFile.path(in: project)) else { throw ProjectError.notFound(path: project) }
    let (hardware, _) = try await RecommendationRequest.machine(context, hardwareFile: nil)
    let bench = ModelBench(context: context, catalog: catalog)
    let target = try await bench.target(ref: nil, project: project, hardware: hardware)
    guard target.engine == .llamaCpp else {
      throw TuneError.badRequest("tune searches llama.cpp's flags; vLLM plans its own (--gpu-memory-utilization, --max-model-len)")
    }
    let configuration = try ProjectFile.load(project: project, environment: [:], files: context.files)
    let state = configuration.stateFolder(project: project, environment: context.environment)
    if (try? ControlClient(state: state, project: project).runningStack()) != nil {
      progress("the stack is running: its services share the CPU with the measurements, so the figures are lower than alone")
    }
    let help = try? await context.processes.run(target.executable, ["--help"], timeout: .seconds(20))
    let takesMlock = help.map { ($0.stdout + $0.stderr).contains("--mlock") } ?? false
    let dimensions = TuneSpace.dimensions(llm: target.llm, hardware: hardware, cost: target.cost, engineTakesMlock: takesMlock)
    var engineBench = EngineBench(context: context, hardware: hardware)
    engineBench.progress = { _ in }
    let runner = BenchRunner(bench: engineBench, target: target, workload: request.workload, progress: progress)
    let time = context.time
    let started = time.elapsed
    let elapsed: @Sendable () async -> Double = {
      let spent = time.duration(since: started)
      return Double(spent.components.seconds) + Double(spent.components.attoseconds) / 1e18
    }
    progress("searching \(dimensions.map { "\($0.key) \($0.values.map(String.init).joined(separator: "/"))" }.joined(separator: ", "))")
    let result = try await FlagSearch(dimensions: dimensions, normalize: TuneSpace.normalize).run(
      runner, budget: request.budgetSeconds, elapsed: elapsed)
    let reports = await runner.reports
    func trial(_ point: TunePoint, seconds: Double?, error: String?) -> TuneReport.Trial {
      let report = reports[point]
      return TuneReport.Trial(
        flags: EngineArguments.llamaCppSpeedFlags(TuneSpace.apply(point, to: target.llm)), seconds: seconds,
        promptTokensPerSecond: report?.median.promptTokensPerSecond, generationTokensPerSecond: report?.median.generationTokensPerSecond,
        error: error)
    }
    let resultsFile = state + "/tune/results.json"
    var report = TuneReport(
      takenAt: SpeedRecords.timestamp(context.time.now), machine: MachineFingerprint(hardware), model: target.modelLabel,
      workload: request.workload,
      budgetSeconds: request.budgetSeconds, elapsedSeconds: await elapsed(), stoppedBy: result.stoppedBy,
      start: trial(result.start, seconds: result.startSeconds, error: nil),
      best: trial(result.best, seconds: result.bestSeconds, error: nil),
      trials: result.trials.map { trial($0.point, seconds: $0.seconds, error: $0.error) }, projectFile: nil, resultsFile: resultsFile)
    // The results are kept first: a failure while writing the project loses no measurement.
    try Task.checkCancellation()
    let changes = result.best != result.start
    if changes { report.projectFile = ProjectFile.path(in: project) }
    try keep(report, at: resultsFile)
    if changes { report.warnings += try await write(result.best, report: report, project: project) }
    if let best = reports[result.best] {
      try? await SpeedRecords(context: context).record(
        SpeedMeasurement(
          machine: MachineFingerprint(hardware), engine: .llamaCpp, model: target.modelLabel, flags: report.best.flags,
          promptTokensPerSecond: best.median.promptTokensPerSecond, generationTokensPerSecond: best.median.generationTokensPerSecond,
          measuredAt: report.takenAt, by: "tune"))
    }
    return report
  }

  /// The best flags into synapse-local.yaml (read without the environment's overrides, so none is
  /// frozen into the file), with the figures above them; then the generated files follow.
  /// Returns what could not be done: generated files that did not follow are a warning, since the
  /// project file already holds the flags.
  func write(_ best: TunePoint, report: TuneReport, project: String) async throws -> [String] {
    var configuration = try ProjectFile.load(project: project, environment: [:], files: context.files)
    configuration.llm = TuneSpace.apply(best, to: configuration.llm)
    let text = try ProjectFile.render(
      configuration, renderer: try TemplateRenderer.live(environment: context.environment, files: context.files),
      tuned: Self.comment(report))
    try context.files.write(text, to: ProjectFile.path(in: project))
    do {
      _ = try await ProjectGeneration(context: context, catalog: catalog).generate(project: project)
      return []
    } catch {
      return ["synapse-local.yaml has the new flags, but the generated files were not regenerated (\(error)); run `synapse-local generate`"]
    }
  }

  static func comment(_ report: TuneReport) -> String {
    func figures(_ trial: TuneReport.Trial) -> String {
      let prompt = trial.promptTokensPerSecond.map(SpeedEstimate.format) ?? "?"
      let generation = trial.generationTokensPerSecond.map(SpeedEstimate.format) ?? "?"
      return "\(prompt) prompt, \(generation) generation"
    }
    return """
      Tuned by `synapse-local tune` on \(report.takenAt.prefix(10)) for \(report.model), \(report.trials.count) measurements:
      \(figures(report.best)); the flags before gave \(figures(report.start)).
      Every result: \(report.resultsFile)
      """
  }

  /// Appends to the results file (a JSON array of runs), written atomically.
  func keep(_ report: TuneReport, at path: String) throws {
    var runs: [TuneReport] = []
    if let data = context.files.contents(path), let old = try? JSONDecoder().decode([TuneReport].self, from: data) { runs = old }
    runs.append(report)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try context.files.createDirectory((path as NSString).deletingLastPathComponent)
    try context.files.write(try encoder.encode(runs), to: path, permissions: 0o644)
  }
}
