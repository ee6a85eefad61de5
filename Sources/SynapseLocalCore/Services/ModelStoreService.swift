import Foundation

/// `models list | import | verify | rm`: the model store (the Hugging Face cache) as the commands
/// see it, with the project's lock where there is one.
public struct ModelStoreService: Sendable {
  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  var cache: HubCache { .live(environment: context.environment) }

  /// Every repository in the store; with a lock, each file says which lock pins it.
  public func list(lockPath: String?) throws -> [HubCache.Repository] {
    let repositories = try cache.repositories()
    guard let lockPath, context.files.exists(lockPath) else { return repositories }
    return HubCache.markLocked(repositories, by: try ProjectLock.load(lockPath, files: context.files), at: lockPath)
  }

  /// Puts a file or folder obtained offline into the store as a download would (progress to the
  /// context's output), and pins it in the lock when there is one. `target` is ORG/REPO, or
  /// ORG/REPO/PATH/IN/REPO to place it under a path.
  public func importModel(_ path: String, as target: String, revision: String, lockPath: String?) throws -> ModelImporter.Result {
    let parts = target.split(separator: "/", maxSplits: 2).map(String.init)
    guard parts.count >= 2 else { throw StoreError.badRepository(target) }
    let repository = try RepositoryID(parts[0] + "/" + parts[1])
    let output = context.output
    let importer = ModelImporter(cache: cache) { path, done, total in output.progress(path, done: done, total: total) }
    let result = try importer.importModel(
      from: context.absolute(path), as: repository, pathInRepository: parts.count == 3 ? parts[2] : nil, revision: revision)
    if let lockPath {
      var pins = try ProjectLock.load(lockPath, files: context.files)
      for file in result.files {
        pins.record(
          .init(
            repository: result.repository, revision: result.revision, commit: result.commit, path: file.path, size: file.sizeBytes,
            sha256: file.sha256, etag: file.sha256))
      }
      try pins.save(lockPath)
    }
    return result
  }

  /// Every stored file of `ref`'s repository (all repositories without one) re-hashed against its
  /// recorded digest.
  public func verify(_ ref: String?) throws -> [ModelVerifier.Check] {
    let cache = self.cache
    let repositories = try ref.map { [try cache.repository(try repository(named: $0).0)] } ?? cache.repositories()
    return try ModelVerifier(cache: cache).verify(repositories)
  }

  /// Removes a repository, or one revision of it, with the blobs nothing else uses.
  public func remove(_ ref: String) throws -> ModelRemover.Result {
    let (repository, revision) = try repository(named: ref)
    return try ModelRemover(cache: cache).remove(repository, revision: revision)
  }

  /// The repository (and revision) a REF names in the store: ORG/REPO[@REVISION] or a catalog id.
  public func repository(named ref: String) throws -> (RepositoryID, String?) {
    switch try ModelReference(parsing: ref) {
    case .hub(let repository, nil, let revision):
      return (try RepositoryID(repository), revision)
    case .hub(let repository, .some(let path), _):
      throw StoreError.unusableReference("'\(ref)' names the file \(path); give the repository \(repository) (optionally @REVISION)")
    case .catalog(let id, let revision):
      let model = try context.resources.loadCatalog().model(id: id)
      guard let repository = model.repository(for: .llamaCpp) else {
        throw StoreError.unusableReference("catalog model \(id) has no repository")
      }
      return (try RepositoryID(repository), revision)
    case .local(let path):
      throw StoreError.unusableReference("'\(path)' is a local path; give a repository (ORG/REPO) or a catalog id")
    }
  }
}
