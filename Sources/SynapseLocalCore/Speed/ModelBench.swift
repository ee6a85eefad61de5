import Foundation
import SynapseLocalSystem

/// `bench` as a service: which model and flags (the REF given, else the project's chat model, with
/// the project's flags), which engine binary, then the measurement, recorded for later
/// recommendations on this machine.
public struct ModelBench: Sendable {
  public struct Request: Sendable {
    /// A REF (catalog id, ORG/REPO/FILE, local path); nil: the project's chat model.
    public var ref: ModelReference?
    /// The project folder; it need not hold a project when a REF is given.
    public var project: String
    public var throughEndpoint = false
    public var workload = BenchWorkload()

    public init(ref: ModelReference?, project: String) {
      self.ref = ref
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

  public func run(_ request: Request) async throws -> BenchReport {
    try request.workload.check()
    let (hardware, _) = try await RecommendationRequest.machine(context, hardwareFile: nil)
    var bench = EngineBench(context: context, hardware: hardware)
    bench.progress = progress
    if request.throughEndpoint { return try await throughEndpoint(request, bench: bench) }
    let target = try await target(ref: request.ref, project: request.project, hardware: hardware)
    let report = try await bench.measure(target, workload: request.workload)
    try? await SpeedRecords(context: context).record(
      SpeedMeasurement(
        machine: MachineFingerprint(hardware), engine: report.engine, model: report.model, flags: report.flags,
        promptTokensPerSecond: report.median.promptTokensPerSecond, generationTokensPerSecond: report.median.generationTokensPerSecond,
        measuredAt: SpeedRecords.timestamp(context.time.now), by: "bench"))
    return report
  }

  func hasProject(_ folder: String) -> Bool { context.files.exists(ProjectFile.path(in: folder)) }

  /// The engine command for a model: the project's engine and flags when there is a project, else
  /// llama.cpp with one thread per effective core.
  public func target(ref: ModelReference?, project: String, hardware: HardwareReport) async throws -> EngineBench.Target {
    let environment = context.environment
    var configuration = ProjectConfiguration()
    var lines: [String: Int] = [:]
    var lock: ProjectLock?
    let inProject = hasProject(project)
    if inProject {
      (configuration, lines) = try ProjectFile.loadWithLines(project: project, environment: environment, files: context.files)
      lock = try? ProjectLock.load(project + "/" + ProjectLock.fileName, files: context.files)
    } else {
      guard ref != nil else {
        throw BenchError.badRequest(
          "\(project) has no \(ProjectConfiguration.fileName): name a model (synapse-local bench REF) or a project (--project DIR)")
      }
      configuration.llm.threads = max(1, hardware.cpu.effectiveCores)
      configuration.llm.servedName = "bench"
    }
    let ref = ref ?? configuration.llm.model
    if ref != configuration.llm.model {
      configuration.llm.servedName = ref.derivedName
    }
    let resolver =
      inProject
      ? try configuration.modelResolver(project: project, catalog: catalog, environment: environment, files: context.files)
      : ModelResolver(
        catalog: catalog, cache: HubCache(root: configuration.storeRoot(project: project, environment: environment), files: context.files),
        lock: nil,
        project: project, environment: environment, files: context.files)
    let resolved: ModelResolver.Resolved
    do {
      resolved = try resolver.resolve(ref, role: .llm, engine: configuration.engine)
    } catch {
      if case .local(let path) = ref {
        throw BenchError.badRequest("no model file at \(path); give a .gguf path, a catalog id or ORG/REPO/FILE.gguf")
      }
      throw BenchError.badRequest("\(ref) is not in the model store: fetch it first (synapse-local pull \(ref))")
    }
    let resolution = await RuntimeResolver(context: context, platform: try Platform.current()).resolve(
      configuration, userSet: Set(lines.keys.filter { $0.hasPrefix("binaries.") }), lock: lock)
    let runtime: RuntimeID = configuration.engine == .vllm ? .vllm : .llamaCpp
    if let problem = resolution.problems.first(where: { $0.key == "binaries." + (runtime == .vllm ? "vllm" : "llama_server") }) {
      throw BenchError.badRequest("\(problem.key): \(problem.message)")
    }
    guard !resolution.missing.contains(runtime) else {
      throw BenchError.badRequest(
        "\(runtime.rawValue) is not installed: run `synapse-local install \(runtime.rawValue)` (or set \(runtime == .vllm ? "SYNAPSE_LOCAL_VLLM" : "SYNAPSE_LOCAL_LLAMA_SERVER"))"
      )
    }
    let executable = configuration.engine == .vllm ? resolution.binaries.vllm : resolution.binaries.llamaServer
    let label =
      resolved.repository.flatMap { repository in configuration.engine == .vllm ? repository : nil }
      ?? (resolved.hostPath as NSString).lastPathComponent
    let logs =
      inProject ? configuration.stateFolder(project: project, environment: environment) + "/logs" : NSTemporaryDirectory() + "synapse-local"
    return EngineBench.Target(
      engine: configuration.engine, executable: executable, modelPath: resolved.hostPath, modelLabel: label, llm: configuration.llm,
      environment: environment, logPath: logs + "/bench-llm.log",
      cost: cost(ref: ref, path: resolved.hostPath, engine: configuration.engine))
  }

  func cost(ref: ModelReference, path: String, engine: Engine) -> ModelCost? {
    ModelCost.of(ref: ref, path: path, files: context.files, engine: engine, catalog: catalog)
  }

  func throughEndpoint(_ request: Request, bench: EngineBench) async throws -> BenchReport {
    let project = request.project
    guard hasProject(project) else {
      throw BenchError.badRequest("--through-endpoint measures a project's running stack: give --project DIR")
    }
    let configuration = try ProjectFile.load(project: project, environment: context.environment, files: context.files)
    if let ref = request.ref, ref != configuration.llm.model {
      throw BenchError.badRequest(
        "the stack serves \(configuration.llm.model), not \(ref): drop the REF to measure it, or measure \(ref) on its own without --through-endpoint"
      )
    }
    let client = ControlClient(state: configuration.stateFolder(project: project, environment: context.environment), project: project)
    guard (try? client.runningStack()) != nil else {
      throw BenchError.badRequest("the stack in \(project) is not running: start it (synapse-local up), or drop --through-endpoint")
    }
    let resolver = try? configuration.modelResolver(
      project: project, catalog: catalog, environment: context.environment, files: context.files)
    let path = (try? resolver?.resolve(configuration.llm.model, role: .llm, engine: configuration.engine))??.hostPath
    return try await bench.measureEndpoint(
      baseURL: "http://127.0.0.1:\(configuration.llm.port)", servedName: configuration.llm.servedName, engine: configuration.engine,
      modelLabel: path.map { ($0 as NSString).lastPathComponent } ?? configuration.llm.model.description, llm: configuration.llm,
      cost: path.flatMap { cost(ref: configuration.llm.model, path: $0, engine: configuration.engine) }, workload: request.workload)
  }
}
