import Foundation
import SynapseLocalSystem

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
    files: any FileSystem
  ) {
    self.catalog = catalog
    self.cache = cache
    self.lock = lock
    self.project = project
    self.environment = environment
    self.files = files
  }

  /// `ModelLocation`'s rule decides which files: for the llm, its GGUF (llama.cpp) or its
  /// safetensors repository (vLLM); for the embedding model, its sentence-transformers folder.
  public func resolve(_ ref: ModelReference, role: ModelRole, engine: Engine) throws -> Resolved {
    let what = role == .llm ? "llm" : "embedding"
    switch try ModelLocation.of(ref, role: role, engine: engine, catalog: catalog) {
    case .local(let path):
      let absolute = AbsolutePath.resolve(path, relativeTo: project, environment: environment)
      guard files.exists(absolute) else { throw GenerateError.localModelMissing(role: what, ref: ref.description, path: absolute) }
      let name = (absolute as NSString).lastPathComponent
      let parent = (absolute as NSString).deletingLastPathComponent
      return Resolved(hostPath: absolute, containerPath: "/local/\(what)/\(name)", localMount: parent + ":/local/\(what):ro")
    case .hub(let target):
      return try stored(target.keeping(lock), role: what, ref: ref)
    }
  }

  /// The snapshot the lock pins, else the revision's, else (for one file of known digest) any
  /// snapshot that holds those bytes.
  func stored(_ target: ModelLocation.HubFiles, role: String, ref: ModelReference) throws -> Resolved {
    let id = target.repository
    let repository = id.description
    let path = target.file
    let pinned = lock?.files.first { $0.repository == repository && (path == nil || $0.path == path) }
    var commit = pinned?.commit ?? (try? cache.resolve(id, revision: target.revision))
    if commit.map({ !files.exists(cache.snapshot(id, commit: $0, path: path)) }) ?? true, let path,
      let digest = pinned?.sha256 ?? target.sha256
    {
      commit = cache.commit(holding: path, digest: digest, in: id) ?? commit
    }
    guard let commit else { throw missing(target, role: role, ref: ref) }
    let suffix = "/" + HubCache.relativeSnapshot(id, commit: commit, path: path)
    let host = cache.snapshot(id, commit: commit, path: path)
    guard files.exists(host) else { throw missing(target, role: role, ref: ref) }
    // A repository is whole only when every file the lock pins at that commit is there: a pull
    // cut short leaves the index without its shards.
    if path == nil {
      for entry in lock?.files ?? [] where entry.repository == repository && entry.commit == commit {
        guard files.exists(host + "/" + entry.path) else { throw missing(target, role: role, ref: ref) }
      }
    }
    return Resolved(hostPath: host, containerPath: Self.containerStore + suffix, localMount: nil, repository: repository, commit: commit)
  }

  /// A demo model is imported (the test bed has its file), anything else pulled.
  func missing(_ target: ModelLocation.HubFiles, role: String, ref: ModelReference) -> GenerateError {
    if case .catalog(let id, _) = ref, let model = try? catalog.model(id: id), model.demo == true {
      let advice = ModelImportAdvice.command(
        repository: target.repository.description, file: target.file, sha256: target.sha256 ?? model.gguf?.sha256,
        source: model.fileSource)
      return .demoModelNotInStore(role: role, ref: ref.description, advice: advice)
    }
    return .modelNotInStore(role: role, ref: ref.description)
  }
}

extension ProjectConfiguration {
  /// The resolver for this project's models: its store, and its lock as it is on disk now.
  public func modelResolver(
    project: String, catalog: ModelCatalog, environment: [String: String], files: any FileSystem
  ) throws -> ModelResolver {
    ModelResolver(
      catalog: catalog, cache: HubCache(root: storeRoot(project: project, environment: environment), files: files),
      lock: try ProjectLock.load(project + "/" + ProjectLock.fileName, files: files), project: project, environment: environment,
      files: files)
  }
}
