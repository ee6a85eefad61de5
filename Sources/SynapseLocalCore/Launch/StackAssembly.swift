import Foundation
import SynapseLocalSystem

/// Everything `up` needs from a project, checked before anything starts: the plan, the models in
/// the store, the generated files (generated now if missing), the binaries, the database folders.
public struct StackAssembly: Sendable {
  public var project: String
  public var state: String
  public var configuration: ProjectConfiguration
  public var specs: [ServiceSpec]
  public var bootstrap: PostgresBootstrap
  /// Things the user should know (files generated, the database's user under root).
  public var notes: [String]
  /// Things the user should change (the database kept outside the project).
  public var warnings: [String] = []
  public var llmModel: ModelResolver.Resolved
  public var embeddingModel: ModelResolver.Resolved
  public var lock: ProjectLock
  public var store: String
  public var catalog: ModelCatalog
  /// The apps' environments (their install and build steps run with them too).
  public var appEnvironments: [ServiceName: [String: String]] = [:]
  /// The backend's migration: the supervisor runs it once the database is ready.
  public var migrations: [AppStep] = []
  /// The project file's line of `embedding.engine` (or `embedding.model`), for a refused conversion.
  public var embeddingEngineLine = 0

  public var runFolder: String { state + "/run" }
  public var context: Context
  public var logFolder: String { state + "/logs" }

  public static func assemble(project: String, context: Context, catalog: ModelCatalog) async throws -> StackAssembly {
    let environment = context.environment
    let (configuration, lines) = try ProjectFile.loadWithLines(project: project, environment: environment, files: context.files)
    let file = ProjectFile.path(in: project)
    let unresolved = ProjectFile.referenceProblems(
      configuration, catalog: catalog, project: project, file: file, lines: lines, environment: environment, files: context.files)
    guard unresolved.isEmpty else { throw ProjectError.invalid(unresolved) }
    var notes: [String] = []

    // Programs first: which runs, and what is missing and how to get it.
    let lock = try ProjectLock.load(project + "/" + ProjectLock.fileName, files: context.files)
    let runtimes = try await RuntimeResolver(context: context, platform: try Platform.current())
      .resolve(project: project, configuration: configuration, lines: lines, lock: lock)
    // `up` installed what was missing before this; a supervisor started without it refuses.
    if !runtimes.missing.isEmpty { throw RuntimeResolver.refusal(runtimes.missing, project: project) }
    var resolved = configuration
    resolved.binaries = runtimes.binaries

    let state = configuration.stateFolder(project: project, environment: environment)
    let store = configuration.storeRoot(project: project, environment: environment)
    let resolver = ModelResolver(
      catalog: catalog, cache: HubCache(root: store, files: context.files), lock: lock, project: project, environment: environment,
      files: context.files)
    let llm: ModelResolver.Resolved
    let embedding: ModelResolver.Resolved
    do {
      llm = try resolver.resolve(configuration.llm.model, role: .llm, engine: configuration.engine)
      embedding = try resolver.resolve(configuration.embedding.model, role: .embedding, engine: configuration.engine)
    } catch let error as GenerateError {
      guard let role = error.missingModelRole else { throw error }
      throw ProjectError.invalid([
        ProjectProblem(file: file, line: lines[role + ".model"] ?? 0, key: role + ".model", message: error.description)
      ])
    }
    // Where llama.cpp's conversion of the embedding model is; made once the checks have passed.
    let embeddingFile = try Self.embeddingFile(embedding, configuration: configuration, context: context, convert: false) {
      LaunchError.embeddingModel(problem: $0)
    }
    // The generated files the services use; generated now when missing (hand edits are kept).
    if try await ProjectGeneration(context: context, catalog: catalog).generateIfMissing(project: project) {
      notes.append("generated .env, docker-compose.local.yml and services/embedding/ (synapse-local generate)")
    }
    let password = try DatabaseSecret.loadOrCreate(state: state, envFile: project + "/" + StackGenerator.envFile, files: context.files)

    let layout = try PostgresLayout.plan(state: state, project: project, files: context.files)
    if layout.relocation == nil, let user = layout.user {
      notes.append("PostgreSQL runs as '\(user)' (it refuses to run as root), which owns \(layout.dataDirectory)")
    }
    let bootstrap = PostgresBootstrap(
      layout: layout, bin: resolved.binaries.pgBin, user: configuration.db.user, database: configuration.db.name,
      port: configuration.db.port,
      password: password, processes: context.processes, files: context.files)
    let env = ServicePlanner.readEnv(project + "/" + StackGenerator.envFile)
    var planner = ServicePlanner(
      configuration: resolved, project: project, llmPath: llm.hostPath, embeddingPath: embeddingFile.path, store: store, database: layout,
      env: env,
      baseEnvironment: environment)
    // The engines listen on internal ports; the configured ports are the stable endpoints'.
    planner.enginePorts = [.llm: try context.ports.freePort(), .embedding: try context.ports.freePort()]
    planner.databasePassword = password
    planner.embeddingContext = embeddingFile.context
    let apps = AppPreparation(context: context, configuration: resolved, project: project)
    planner.nodeFolder = AppPreparation.nodePath(resolved, environment: environment, files: context.files).map(
      AppPreparation.Node.folder(of:))
    planner.workspaces = Dictionary(uniqueKeysWithValues: apps.workspaces.map { ($0.service, $0) })
    var specs = planner.services()
    let platform = try Platform.current()
    for index in specs.indices {
      let runtime: RuntimeID? =
        switch specs[index].name {
        case .db: .postgresql
        case .llm: configuration.engine == .vllm ? .vllm : .llamaCpp
        case .embedding: configuration.embedding.engine.runtime
        case .backend, .frontend: nil
        }
      specs[index].programSource =
        runtime.flatMap { RuntimeResolver.origin($0, in: runtimes, lock: lock, platform: platform) }
        ?? (environment["SYNAPSE_LOCAL_NODE"].map { _ in "SYNAPSE_LOCAL_NODE" }
          ?? (lines["binaries.node"] != nil ? "binaries.node" : "PATH"))
    }
    var assembly = StackAssembly(
      project: project, state: state, configuration: resolved, specs: specs, bootstrap: bootstrap, notes: notes, llmModel: llm,
      embeddingModel: embedding, lock: lock, store: store, catalog: catalog, context: context)
    assembly.warnings = layout.relocation.map { [$0] } ?? []
    assembly.embeddingEngineLine = lines["embedding.engine"] ?? lines["embedding.model"] ?? 0
    assembly.appEnvironments = Dictionary(uniqueKeysWithValues: apps.workspaces.map { ($0.service, planner.appEnvironment($0.service)) })
    assembly.migrations = apps.migrations(environment: planner.appEnvironment, state: state)
    return assembly
  }

  /// What the embedding service loads: the model's folder for sentence-transformers; for
  /// llama.cpp, the GGUF converted from it (made now when missing and `convert`) and the model's
  /// trained context (config.json's `max_position_embeddings`).
  static func embeddingFile(
    _ model: ModelResolver.Resolved, configuration: ProjectConfiguration, context: Context, convert: Bool = true,
    problem: (String) -> any Error
  ) throws -> (path: String, made: Bool, context: Int) {
    guard configuration.embedding.engine == .llamaCpp else { return (model.hostPath, false, 0) }
    let config = context.files.contents(model.hostPath + "/config.json").flatMap { try? JSONSerialization.jsonObject(with: $0) }
    let trained = (config as? [String: Any])?["max_position_embeddings"] as? Int ?? 512
    do {
      let converted = ConvertedEmbeddingModel(context: context)
      guard convert else { return (try converted.path(folder: model.hostPath, name: configuration.embedding.servedName), false, trained) }
      let made = try converted.ensure(folder: model.hostPath, name: configuration.embedding.servedName)
      return (made.path, made.made, trained)
    } catch let error as EmbeddingConversionError {
      throw problem("\(configuration.embedding.model) cannot be served by llama.cpp: \(error)")
    }
  }

  /// Converts the embedding model for llama.cpp when the plan needs it and it is not done yet:
  /// after the checks, right before anything starts. Returns what to tell the user.
  public func prepareEmbeddingModel() throws -> String? {
    let file = try Self.embeddingFile(embeddingModel, configuration: configuration, context: context) { message in
      ProjectError.invalid([
        ProjectProblem(file: ProjectFile.path(in: project), line: embeddingEngineLine, key: "embedding.engine", message: message)
      ])
    }
    return file.made ? "converted \(configuration.embedding.servedName) to a GGUF for llama.cpp: \(file.path)" : nil
  }

  /// After a crash of the whole supervisor (or the machine), what the pid files name is stopped:
  /// only the very process each was written for (same pid, same start time), with its group when
  /// it leads one.
  public func cleanUpLeftovers() {
    // `<name>.next.pid`: an engine started beside the old one in a swap.
    for spec in specs {
      for file in [runFolder + "/\(spec.name.rawValue).pid", runFolder + "/\(spec.name.rawValue).next.pid"] {
        if let pid = ProcessRecord.live(file, files: context.files, table: context.processTable) {
          if getpgid(pid) == pid { kill(-pid, SIGKILL) }
          kill(pid, SIGKILL)
        }
        try? context.files.remove(file)
      }
    }
  }
}
