import Foundation

/// Where a model REF's files are: in the store (pinned by the project lock, else what the store's
/// refs say) or a local path. The compose file needs the snapshot's exact path, so a model that
/// is in neither place is an error that says to pull it.
public struct ModelResolver: Sendable {
  public struct Resolved: Sendable, Equatable {
    /// The file (a GGUF) or folder (a repository snapshot, a local folder) on this host.
    public var hostPath: String
    /// The same inside the containers, where the store is mounted at `/models`.
    public var containerPath: String
    /// The host folder to mount for a local REF (the store is mounted anyway).
    public var localMount: String?
    public var repository: String?
    public var commit: String?
  }

  public static let containerStore = "/models"

  public var catalog: ModelCatalog
  public var cache: HubCache
  public var lock: ProjectLock?
  /// Relative local REFs are relative to the project folder; `~` is HOME's.
  public var project: String
  public var environment: [String: String]
  /// Where a resolved path is checked; the store's refs are read through `cache`.
  public var files: any FileSystem

  public init(
    catalog: ModelCatalog, cache: HubCache, lock: ProjectLock?, project: String, environment: [String: String] = [:],
    files: any FileSystem = RootedFileSystem()
  ) {
    self.catalog = catalog
    self.cache = cache
    self.lock = lock
    self.project = project
    self.environment = environment
    self.files = files
  }

  /// `engine` decides what a catalog chat model means: its GGUF file (llama.cpp) or its 16-bit
  /// repository (vLLM).
  public func resolve(_ ref: String, role: ModelRole, engine: Engine) throws -> Resolved {
    let what = role == .llm ? "llm" : "embedding"
    switch try ModelReference(parsing: ref) {
    case .local(let path):
      let absolute = AbsolutePath.resolve(path, relativeTo: project, environment: environment)
      guard files.exists(absolute) else { throw GenerateError.modelNotInStore(role: what, ref: ref) }
      let name = (absolute as NSString).lastPathComponent
      let parent = (absolute as NSString).deletingLastPathComponent
      return Resolved(hostPath: absolute, containerPath: "/local/\(what)/\(name)", localMount: parent + ":/local/\(what):ro")
    case .catalog(let id, let revision):
      let model = try catalog.model(id: id, role: role)
      if role == .llm && engine == .llamaCpp, let gguf = model.gguf {
        return try stored(gguf.repository, path: gguf.file, revision: revision ?? gguf.revision ?? "main", role: what, ref: ref)
      }
      guard let repository = model.repository(for: engine) ?? model.repository else {
        throw GenerateError.modelNotInStore(role: what, ref: ref)
      }
      return try stored(repository, path: nil, revision: revision ?? "main", role: what, ref: ref)
    case .hub(let repository, let path, let revision):
      return try stored(repository, path: path, revision: revision ?? "main", role: what, ref: ref)
    }
  }

  func stored(_ repository: String, path: String?, revision: String, role: String, ref: String) throws -> Resolved {
    let id = try RepositoryID(repository)
    let pinned = lock?.files.first { $0.repository == repository && (path == nil || $0.path == path) }
    guard let commit = pinned?.commit ?? (try? cache.resolve(id, revision: revision)) else {
      throw GenerateError.modelNotInStore(role: role, ref: ref)
    }
    let suffix = "/\(id.cacheFolderName)/snapshots/\(commit)" + (path.map { "/\($0)" } ?? "")
    let host = cache.root + suffix
    guard files.exists(host) else { throw GenerateError.modelNotInStore(role: role, ref: ref) }
    return Resolved(hostPath: host, containerPath: Self.containerStore + suffix, localMount: nil, repository: repository, commit: commit)
  }
}

extension ProjectConfiguration {
  /// The resolver for this project's models: its store, and its lock as it is on disk now.
  public func modelResolver(
    project: String, catalog: ModelCatalog, environment: [String: String], files: any FileSystem = RootedFileSystem()
  ) throws -> ModelResolver {
    ModelResolver(
      catalog: catalog, cache: HubCache(root: storeRoot(project: project, environment: environment)),
      lock: try ProjectLock.load(project + "/" + ProjectLock.fileName, files: files), project: project, environment: environment,
      files: files)
  }
}
