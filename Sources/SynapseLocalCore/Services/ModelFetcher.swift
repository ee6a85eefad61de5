import Foundation

/// `pull`: models from the Hub into the store, verified while they download, pinned in the
/// project's lock. `up` and `swap` fetch what they lack through it too.
public struct ModelFetcher: Sendable {
  public struct Options: Sendable {
    /// The lock to pin files in (nil outside a project).
    public var lockPath: String?
    /// Accept files that differ from what the lock pins.
    public var update = false
    public var connections = RangePlan.defaultConnections

    public init(lockPath: String? = nil, update: Bool = false, connections: Int = RangePlan.defaultConnections) {
      self.lockPath = lockPath
      self.update = update
      self.connections = connections
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
  public func pull(_ refs: [String], options: Options = Options()) async throws -> [ModelPuller.Result] {
    let environment = context.environment
    let output = context.output
    var puller = ModelPuller(
      cache: .live(environment: environment), hub: .live(environment: environment, transport: context.http),
      offline: ["1", "true", "yes", "on"].contains(environment["HF_HUB_OFFLINE"]?.lowercased() ?? "")
    ) { path, done, total in output.progress(path, done: done, total: total) }
    if let lockPath = options.lockPath { puller.lock = try ProjectLock.load(lockPath) }
    puller.updateLock = options.update
    puller.connections = options.connections
    var results: [ModelPuller.Result] = []
    for ref in refs {
      let (repository, path, revision) = try target(ref)
      let (result, pins) = try await puller.pullFiles(repository, path: path, revision: revision)
      results.append(result)
      if let lockPath = options.lockPath, let pins, pins != puller.lock {
        try pins.save(lockPath)
        puller.lock = pins
      }
    }
    return results
  }

  /// What a REF asks to download: repository, file (nil for all) and revision.
  public func target(_ ref: String) throws -> (RepositoryID, String?, String) {
    switch try ModelReference(parsing: ref) {
    case .hub(let repository, let path, let revision):
      return (try RepositoryID(repository), path, revision ?? "main")
    case .catalog(let id, let revision):
      let model = try catalog.model(id: id)
      if model.role == .llm, let gguf = model.gguf {
        return (try RepositoryID(gguf.repository), gguf.file, revision ?? gguf.revision ?? "main")
      }
      guard let repository = model.repository else { throw StoreError.unusableReference("catalog model \(id) names no repository") }
      return (try RepositoryID(repository), nil, revision ?? "main")
    case .local(let path):
      throw StoreError.unusableReference("'\(path)' is a local path; `synapse-local models import` puts local files into the store")
    }
  }

  /// The project's model REFs that are neither local paths nor in the store yet.
  public func missing(in configuration: ProjectConfiguration, project: String) throws -> [String] {
    let resolver = try configuration.modelResolver(project: project, catalog: catalog, environment: context.environment)
    var missing: [String] = []
    for (ref, role) in [(configuration.llm.model, ModelRole.llm), (configuration.embedding.model, .embedding)] {
      if case .local? = try? ModelReference(parsing: ref) { continue }
      if (try? resolver.resolve(ref, role: role, engine: configuration.engine)) == nil { missing.append(ref) }
    }
    return missing
  }
}
