import Foundation
import SynapseLocalSystem

/// `pull`: models from the Hub into the store, verified while they download, pinned in the
/// project's lock. `up` and `swap` fetch what they lack through it too. What a REF fetches is
/// `ModelLocation`'s rule for the role it plays in the project (its engine decides the llm's).
public struct ModelFetcher: Sendable {
  public struct Options: Sendable {
    /// The lock to pin files in (nil outside a project).
    public var lockPath: String?
    /// Accept files that differ from what the lock pins.
    public var update = false
    public var connections = RangePlan.defaultConnections
    /// The project's plan: a REF it names is fetched for its role and engine.
    public var configuration: ProjectConfiguration?
    /// `--include`/`--exclude` for whole repositories (else the lock's, else the role's rule).
    public var patterns: FilePatterns?
    /// The role the REFs play, when they are not (yet) the project's (a swap's new model).
    public var role: ModelRole?

    public init(
      lockPath: String? = nil, update: Bool = false, connections: Int = RangePlan.defaultConnections,
      configuration: ProjectConfiguration? = nil, patterns: FilePatterns? = nil
    ) {
      self.lockPath = lockPath
      self.update = update
      self.connections = connections
      self.configuration = configuration
      self.patterns = patterns
    }
  }

  public var context: Context
  public var catalog: ModelCatalog

  public init(context: Context, catalog: ModelCatalog) {
    self.context = context
    self.catalog = catalog
  }

  /// Downloads each REF (what is already in the store is reused); progress goes to the context's
  /// output.
  public func pull(_ refs: [ModelReference], options: Options = Options()) async throws -> [ModelPuller.Result] {
    let environment = context.environment
    let output = context.output
    var puller = ModelPuller(
      cache: .live(environment: environment, files: context.files),
      hub: .live(environment: environment, transport: context.http, time: context.time),
      time: context.time, offline: HubOffline.isSet(environment)
    ) { path, done, total in output.progress(path, done: done, total: total) }
    if let lockPath = options.lockPath { puller.lock = try ProjectLock.load(lockPath, files: context.files) }
    puller.updateLock = options.update
    puller.connections = options.connections
    var results: [ModelPuller.Result] = []
    for ref in refs {
      let target = try hubFiles(ref, options: options, lock: puller.lock)
      let (result, pulledPins) = try await puller.pullFiles(
        target.repository, selection: target.selection, revision: target.revision, sha256: target.sha256)
      results.append(result)
      var pins = pulledPins
      if case .patterns(let patterns) = target.selection {
        pins?.record(.init(repository: target.repository.description, patterns: patterns))
      }
      if let lockPath = options.lockPath, let pins, pins != puller.lock {
        try pins.save(lockPath, files: context.files)
        puller.lock = pins
      }
    }
    return results
  }

  /// What a REF fetches: its role's rule in the project, the patterns given or locked.
  public func hubFiles(_ ref: ModelReference, options: Options, lock: ProjectLock? = nil) throws -> ModelLocation.HubFiles {
    let role = options.role ?? options.configuration.flatMap { Self.role(of: ref, in: $0) }
    let engine = options.configuration?.engine ?? .llamaCpp
    switch try ModelLocation.of(ref, role: role, engine: engine, catalog: catalog, patterns: options.patterns) {
    case .hub(let files): return options.patterns == nil ? files.keeping(lock) : files
    case .local(let path):
      throw StoreError.unusableReference("'\(path)' is a local path; `synapse-local models import` puts local files into the store")
    }
  }

  /// The role a REF plays in the project, if it names one of its models.
  public static func role(of ref: ModelReference, in configuration: ProjectConfiguration) -> ModelRole? {
    if ref == configuration.llm.model { return .llm }
    if ref == configuration.embedding.model { return .embedding }
    return nil
  }

  /// The project's models that come from the Hub (what `pull` with no REF fetches).
  public static func hubModels(of configuration: ProjectConfiguration) -> [ModelReference] {
    [configuration.llm.model, configuration.embedding.model].filter { !$0.isLocal }
  }

  /// What `pull` fetches: the REFs given, else the project's Hub models.
  public static func wanted(
    _ refs: [ModelReference], configuration: ProjectConfiguration?, project: String, patterns: FilePatterns? = nil
  ) throws -> [ModelReference] {
    guard refs.isEmpty else { return refs }
    if patterns != nil {
      throw StoreError.unusableReference(
        "--include and --exclude choose the files of one repository: name it (synapse-local pull ORG/REPO --include …)")
    }
    guard let configuration else {
      throw StoreError.unusableReference(
        "no model to pull: name one (synapse-local pull REF), or run in a project (\(project) has no \(ProjectConfiguration.fileName); --project DIR)"
      )
    }
    let models = hubModels(of: configuration)
    guard !models.isEmpty else {
      throw StoreError.unusableReference(
        "the project's models are local paths: there is nothing to pull (`models import` stores local files)")
    }
    return models
  }

  /// How the project's models get into the store: `pull` for the Hub's, `models import` for the
  /// demo models (the test bed's files, at no catalog pin a pull could fetch offline); local paths
  /// need nothing.
  public static func advice(for configuration: ProjectConfiguration, catalog: ModelCatalog, project: String) -> [String] {
    var pulled = false
    var advice: [String] = []
    for ref in hubModels(of: configuration) {
      if let id = ref.catalogID, let model = try? catalog.model(id: id), model.demo == true {
        advice.append(ModelImportAdvice.command(for: model, project: project))
      } else if !pulled {
        pulled = true
        advice.append("synapse-local pull --project \(project)")
      }
    }
    return advice
  }

  /// The project's Hub models that are not in the store yet.
  public func missing(in configuration: ProjectConfiguration, project: String) throws -> [ModelReference] {
    let resolver = try configuration.modelResolver(
      project: project, catalog: catalog, environment: context.environment, files: context.files)
    return try Self.hubModels(of: configuration).filter { ref in
      let role = Self.role(of: ref, in: configuration) ?? .llm
      do {
        _ = try resolver.resolve(ref, role: role, engine: configuration.engine)
        return false
      } catch let error as GenerateError {
        guard case .modelNotInStore = error else { throw error }  // a demo or local model is not pulled
        return true
      }
    }
  }
}
