import Foundation
import SynapseLocalSystem

/// `init`: plans `synapse-local.yaml` for the machine it will run on (this one, or the one a
/// hardware file describes), from a profile, flags, and the recommendation for the rest.
public struct ProjectInitializer: Sendable {
  public struct Request: Sendable {
    public var folder: String
    public var profile: String?
    public var overrides: [ProjectOverride]
    public var force: Bool
    /// The Synapse checkout, absolute; nil: the project folder.
    public var synapse: String?
    /// `--min-speed`: the recommendation's speed floor.
    public var minimumSpeed = Recommender.defaultMinimumSpeed

    public init(
      folder: String, profile: String? = nil, overrides: [ProjectOverride] = [], force: Bool = false, synapse: String? = nil,
      minimumSpeed: Double = Recommender.defaultMinimumSpeed
    ) {
      self.minimumSpeed = minimumSpeed
      self.folder = folder
      self.synapse = synapse
      self.profile = profile
      self.overrides = overrides
      self.force = force
    }
  }

  public struct Result: Sendable {
    public var plan: ProjectPlanner.Plan
    public var path: String
    /// The line of each key in the written file.
    public var lines: [String: Int]
    /// Planned from a hardware file, for another machine.
    public var planningElsewhere: Bool
    /// What was found in the Synapse checkout, and warnings about it (one line each).
    public var apps = AppPlanner.Outcome()
    /// The commands that put the project's models into the store (`ModelFetcher.advice`).
    public var fetchAdvice: [String] = []
    /// About the chosen models, one line each: a chat model's file without a chat template.
    public var modelWarnings: [String] = []

    /// The main choices, for `init --json`.
    public var summary: ProjectSummary { ProjectSummary(plan, path: path, apps: apps.notes, warnings: apps.warnings) }
  }

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  /// Plans and writes the project file. An existing file is replaced only with `force` or when
  /// `confirmReplace` (a question on a terminal) says so.
  public func initialize(_ request: Request, confirmReplace: @Sendable (String) -> Bool = { _ in false }) async throws -> Result {
    let locator = context.resources
    var start = ProjectConfiguration()
    var fixed: Set<String> = []
    if let profile = request.profile {
      let (configuration, lines) = try Profiles(folder: try locator.locate(.profiles), files: context.files).load(profile, over: start)
      start = configuration
      fixed.formUnion(lines.keys)
    }
    var problems: [String] = []
    for override in request.overrides {
      if let problem = ProjectSchema.apply(override.value, to: override.key, in: &start) { problems.append("\(override.flag): \(problem)") }
      fixed.insert(override.key)
    }
    // A model path typed here is relative to where it was typed; the project file keeps it absolute.
    let typedKeys = Set(request.overrides.map(\.key))
    if typedKeys.contains("llm.model") { start.llm.model = start.llm.model.typed(workingDirectory: context.workingDirectory) }
    if typedKeys.contains("embedding.model") {
      start.embedding.model = start.embedding.model.typed(workingDirectory: context.workingDirectory)
    }
    problems += ProjectSchema.portClashes(start, file: "(flags)", lines: [:]).map { "\($0.key): \($0.message)" }
    guard problems.isEmpty else { throw ProjectError.flags(problems) }

    // The Synapse apps, from the checkout: the project folder unless --synapse names another.
    let checkout = request.synapse ?? request.folder
    if let synapse = request.synapse {
      guard context.files.isDirectory(synapse) else {
        throw ProjectError.flags(["--synapse: \(synapse) is not a folder; give the Synapse checkout's folder"])
      }
      start.paths.synapse = synapse == request.folder ? "." : synapse
      fixed.insert("paths.synapse")
    }
    var chosen: [ServiceName: String] = [:]
    if fixed.contains("backend.dir") { chosen[.backend] = start.backend.dir }
    if fixed.contains("frontend.dir") { chosen[.frontend] = start.frontend.dir }
    let found = try AppDiscovery(root: checkout, files: context.files).discover(chosen: chosen)
    let apps = AppPlanner.apply(found, to: &start, fixed: fixed)

    let planningElsewhere = !start.hardware.isEmpty
    // Written absolute: `generate` reads it from wherever it runs.
    if planningElsewhere { start.hardware = context.absolute(start.hardware) }
    // This machine comes with its calibration and measured speeds; a hardware file with its own.
    let (report, measurements) = try await RecommendationRequest.machine(
      context, hardwareFile: planningElsewhere ? start.hardware : nil)
    var plan = try ProjectPlanner(
      catalog: try locator.loadCatalog(), hardware: report, minimumSpeed: request.minimumSpeed, measurements: measurements
    ).plan(start, fixed: fixed)
    if plan.configuration.engine == .llamaCpp {
      plan.recommendation?.llamaCppBuild = LlamaCppVariantChoice.forMachine(
        context, hardware: report, thisMachine: !planningElsewhere)
    }
    // An embedding model from outside the catalog: its vector size read from its folder.
    if !fixed.contains("embedding.dimensions"), plan.configuration.embedding.model.catalogID == nil,
      let size = ProjectFile.embeddingSize(
        plan.configuration, catalog: try locator.loadCatalog(), project: request.folder, environment: context.environment,
        files: context.files)
    {
      plan.configuration.embedding.dimensions = size
    }
    // A model the engines would refuse (a garbage GGUF, a missing folder) stops init, not `up`;
    // planned for another machine, its paths are that machine's, not checked here.
    let refused =
      planningElsewhere
      ? []
      : ProjectFile.referenceProblems(
        plan.configuration, catalog: try locator.loadCatalog(), project: request.folder, file: "(flags)", lines: [:],
        environment: context.environment, files: context.files)
    guard refused.isEmpty else {
      throw ProjectError.flags(refused.map { "--\($0.key.hasPrefix("llm") ? "llm" : "embedding"): \($0.message)" })
    }

    let path = ProjectFile.path(in: request.folder)
    if context.files.exists(path) && !request.force && !confirmReplace(path) { throw ProjectError.exists(path: path) }
    let text = try ProjectFile.render(
      plan.configuration, renderer: try TemplateRenderer.live(environment: context.environment, files: context.files))
    // What we write must read back as what we planned.
    var lines: [String: Int] = [:]
    guard try ProjectSchema.parse(text, file: path, over: ProjectConfiguration(), lines: &lines) == plan.configuration else {
      throw ProjectError.unreadable(
        path: path, reason: "internal error: the rendered project file does not read back as planned; please report it")
    }
    try context.files.createDirectory(request.folder)
    try context.files.write(text, to: path)
    var result = Result(plan: plan, path: path, lines: lines, planningElsewhere: planningElsewhere)
    result.apps = apps
    result.modelWarnings = Self.modelWarnings(
      plan.configuration, project: request.folder, catalog: try locator.loadCatalog(), context: context)
    result.fetchAdvice = ModelFetcher.advice(for: plan.configuration, catalog: try locator.loadCatalog(), project: request.folder)
    return result
  }

  /// A chat model already in the store (or a local file) whose GGUF carries no chat template and
  /// for which the plan names none.
  static func modelWarnings(_ c: ProjectConfiguration, project: String, catalog: ModelCatalog, context: Context) -> [String] {
    guard c.engine == .llamaCpp, c.llm.chatTemplate.isEmpty,
      let resolver = try? c.modelResolver(project: project, catalog: catalog, environment: context.environment, files: context.files),
      let path = try? resolver.resolve(c.llm.model, role: .llm, engine: c.engine).hostPath,
      let file = try? GGUFReader.read(path: path, files: context.files)
    else { return [] }
    return [ChatTemplate.warning(file: file, model: c.llm.model.description, configured: "", suggestion: nil)].compactMap { $0 }
  }
}
