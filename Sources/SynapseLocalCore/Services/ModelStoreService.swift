import Foundation
import SynapseLocalSystem

/// `models list | import | verify | rm`: the model store (the Hugging Face cache) as the commands
/// see it, with the project's lock where there is one.
public struct ModelStoreService: Sendable {
  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  var cache: HubCache { .live(environment: context.environment, files: context.files) }

  /// Every repository in the store; with a lock, each file says which lock pins it.
  public func list(lockPath: String?) throws -> [HubCache.Repository] {
    let repositories = try cache.repositories()
    guard let lockPath, context.files.exists(lockPath) else { return repositories }
    return HubCache.markLocked(repositories, by: try ProjectLock.load(lockPath, files: context.files), at: lockPath)
  }

  /// Puts a file or folder obtained offline into the store as a download would (progress to the
  /// context's output), and pins it in the lock when there is one. `target` is ORG/REPO, or
  /// ORG/REPO/PATH/IN/REPO to place it under a path. Bytes other than those the catalog or the
  /// lock pins at that place, or a file the catalog knows under another name in that repository,
  /// are refused unless `force`.
  public func importModel(_ path: String, as target: String, revision: String, lockPath: String?, force: Bool = false) throws
    -> ModelImporter.Result
  {
    let parts = target.split(separator: "/", maxSplits: 2).map(String.init)
    guard parts.count >= 2 else { throw StoreError.badRepository(target) }
    let repository = try RepositoryID(parts[0] + "/" + parts[1])
    // A .gguf must be one llama.cpp can load: refused here, not in a crash loop at `up`.
    let source = context.absolute(path)
    let isFile = context.files.exists(source) && !context.files.isDirectory(source)
    if source.hasSuffix(".gguf") || target.hasSuffix(".gguf"), isFile,
      let problem = ModelFileCheck.ggufProblem(source, files: context.files)
    {
      throw StoreError.unusableReference("\(source): \(problem); nothing was imported")
    }
    let catalog = try context.resources.loadCatalog()
    let pinned = catalog.models.compactMap(\.gguf).filter { $0.repository == repository.description }
    // A file under a name the catalog does not look for would be a snapshot file nothing loads.
    let name = (source as NSString).lastPathComponent
    if parts.count == 2, isFile, !force, !pinned.isEmpty, !pinned.contains(where: { $0.file == name }) {
      throw StoreError.importNameRefused(source: source, repository: repository.description, name: name, expected: pinned.map(\.file))
    }
    let lock = try lockPath.map { try ProjectLock.load($0, files: context.files) }
    let output = context.output
    let importer = ModelImporter(cache: cache) { path, done, total in output.progress(path, done: done, total: total) }
    let result = try importer.importModel(
      from: source, as: repository, pathInRepository: parts.count == 3 ? parts[2] : nil, revision: revision
    ) { file in
      guard !force else { return }
      let place = "\(repository)/\(file.path)"
      for gguf in pinned where gguf.file == file.path {
        guard let digest = gguf.sha256, digest != file.sha256 else { continue }
        let id = catalog.models.first { $0.gguf == gguf }?.id ?? "?"
        throw StoreError.importDigestRefused(
          source: source, target: place, sha256: file.sha256, pinnedBy: "the catalog (\(id))", pinned: digest)
      }
      if let lockPath, let entry = lock?.entry(repository: repository.description, path: file.path), let digest = entry.sha256,
        digest != file.sha256
      {
        throw StoreError.importDigestRefused(source: source, target: place, sha256: file.sha256, pinnedBy: lockPath, pinned: digest)
      }
    }
    if let lockPath, var pins = lock {
      for file in result.files {
        pins.record(
          .init(
            repository: result.repository, revision: result.revision, commit: result.commit, path: file.path, size: file.sizeBytes,
            sha256: file.sha256, etag: file.sha256, imported: true))
      }
      try pins.save(lockPath, files: context.files)
    }
    return result
  }

  /// The stored files of what `ref` names (the one file of a file REF or a llama.cpp catalog
  /// model, else the repository's; everything without a REF) re-hashed against their recorded
  /// digests. `engine`: the project's, which decides what a catalog chat model is.
  public func verify(_ ref: ModelReference?, engine: Engine = .llamaCpp) throws -> [ModelVerifier.Check] {
    let cache = self.cache
    guard let ref else { return try ModelVerifier(cache: cache).verify(cache.repositories()) }
    let target = try location(of: ref, engine: engine)
    var repository = try cache.repository(target.repository)
    if let file = target.file {
      // Only that file is hashed: a repository of many quantizations would take minutes.
      repository.snapshots = repository.snapshots.map { snapshot in
        var one = snapshot
        one.files = snapshot.files.filter { $0.path == file }
        return one
      }.filter { !$0.files.isEmpty }
      guard !repository.snapshots.isEmpty else { throw StoreError.notInStore("\(target.repository)/\(file)") }
    }
    return try ModelVerifier(cache: cache).verify([repository])
  }

  /// Removes a repository, or one revision of it (the REF's @REVISION), with the blobs nothing else
  /// uses. What the project's lock (`lockPath`) pins there is kept unless `force`: the project
  /// would fetch it again, or fail offline.
  public func remove(_ ref: ModelReference, engine: Engine = .llamaCpp, lockPath: String? = nil, force: Bool = false) throws
    -> ModelRemover.Result
  {
    if case .hub(let repository, .some(let path), _) = ref {
      throw StoreError.unusableReference("'\(ref)' names the file \(path); give the repository \(repository) (optionally @REVISION)")
    }
    let revision: String? =
      switch ref {
      case .hub(_, _, let revision), .catalog(_, let revision): revision
      case .local: nil
      }
    let repository = try location(of: ref, engine: engine).repository
    if !force, let lockPath, context.files.exists(lockPath) {
      // One revision: the pins at its commit; the whole repository: every pin in it.
      let commit = revision.flatMap { try? cache.resolve(repository, revision: $0) }
      let pins = try ProjectLock.load(lockPath, files: context.files).files.filter { entry in
        entry.repository == repository.description && (revision == nil || entry.commit == commit)
      }
      if !pins.isEmpty { throw StoreError.removalPinned(repository: repository.description, lock: lockPath, files: pins.count) }
    }
    return try ModelRemover(cache: cache).remove(repository, revision: revision)
  }

  /// `ModelLocation`'s rule for a REF with no role in a project.
  func location(of ref: ModelReference, engine: Engine) throws -> ModelLocation.HubFiles {
    switch try ModelLocation.of(ref, role: nil, engine: engine, catalog: try context.resources.loadCatalog()) {
    case .hub(let files): return files
    case .local(let path): throw StoreError.unusableReference("'\(path)' is a local path; give a repository (ORG/REPO) or a catalog id")
    }
  }

  /// The engine of the project in `folder`, llama.cpp outside one.
  public func engine(project folder: String) -> Engine {
    guard context.files.exists(ProjectFile.path(in: folder)) else { return .llamaCpp }
    return (try? ProjectFile.load(project: folder, environment: context.environment, files: context.files))?.engine ?? .llamaCpp
  }
}
