import Foundation
import SynapseLocalSystem

/// What the checks read, gathered once: the project as configured, its generated `.env`, its
/// lock, the machine, the running stack if any, and the models as resolved in the store.
public struct DoctorSubject: Sendable {
  public var project: String
  public var configuration: ProjectConfiguration
  /// The line of each key in the project file (the `binaries.*` keys set there count as chosen).
  public var lines: [String: Int] = [:]
  /// The generated `.env` as key/value pairs; nil when there is none.
  public var env: [String: String]?
  public var lock: ProjectLock?
  public var hardware: HardwareReport
  public var measurements: [SpeedMeasurement]
  /// The running stack's status; nil when nothing runs.
  public var stack: StackStatus?
  public var catalog: ModelCatalog
  public var context: Context
  /// The chat and embedding models' files, or why they cannot be found.
  public var llmPath: String?
  public var llmProblem: String?
  public var embeddingPath: String?
  public var embeddingProblem: String?
  /// The programs as `up` picks them (environment, `binaries` keys, the lock's runtimes, PATH),
  /// resolved once by `gather`; nil until then.
  public var runtimes: RuntimeResolver.Resolution?

  public init(
    project: String, configuration: ProjectConfiguration, env: [String: String]?, lock: ProjectLock?, hardware: HardwareReport,
    measurements: [SpeedMeasurement] = [], stack: StackStatus?, catalog: ModelCatalog, context: Context
  ) {
    self.project = project
    self.configuration = configuration
    self.env = env
    self.lock = lock
    self.hardware = hardware
    self.measurements = measurements
    self.stack = stack
    self.catalog = catalog
    self.context = context
  }

  public var state: String { configuration.stateFolder(project: project, environment: context.environment) }
  public var runFolder: String { state + "/run" }
  public var logFolder: String { state + "/logs" }
  public var envPath: String { project + "/" + StackGenerator.envFile }

  public func service(_ name: ServiceName) -> ServiceStatus? { stack?.services.first { $0.name == name } }

  /// The lock's entries for the two models the project uses now (the lock keeps earlier models'
  /// pins too, which may be gone from the store on purpose).
  public var currentLockEntries: [ProjectLock.Entry] {
    let store = configuration.storeRoot(project: project, environment: context.environment)
    let paths = [llmPath, embeddingPath].compactMap { $0 }
    return (lock?.files ?? []).filter { entry in
      guard let id = try? RepositoryID(entry.repository) else { return false }
      let path = HubCache(root: store, files: context.files).snapshot(id, commit: entry.commit, path: entry.path)
      return paths.contains { path.hasPrefix($0) || $0.hasPrefix(path) }
    }
  }

  /// The programs every check runs: `runtimes`, else resolved now the way `up` resolves them.
  /// Nil only where this platform has no runtimes.
  public func programs() async -> RuntimeResolver.Resolution? {
    if let runtimes { return runtimes }
    guard let platform = try? Platform.current() else { return nil }
    return await RuntimeResolver(context: context, platform: platform).resolve(
      configuration, userSet: Set(lines.keys.filter { $0.hasPrefix("binaries.") }), lock: lock)
  }

  /// The project's command-line hint: `--project DIR` unless it is the current folder.
  public var projectFlag: String { project == context.workingDirectory ? "" : " --project \(project)" }

  /// Resolves both models in the store (no download, no creation).
  public mutating func resolveModels() {
    let environment = context.environment
    guard
      let resolver = try? configuration.modelResolver(project: project, catalog: catalog, environment: environment, files: context.files)
    else {
      llmProblem = "the lock file cannot be read"
      embeddingProblem = llmProblem
      return
    }
    do {
      llmPath = try resolver.resolve(configuration.llm.model, role: .llm, engine: configuration.engine).hostPath
    } catch {
      llmProblem = String(describing: error)
    }
    do {
      embeddingPath = try resolver.resolve(configuration.embedding.model, role: .embedding, engine: configuration.engine).hostPath
    } catch {
      embeddingProblem = String(describing: error)
    }
  }
}
