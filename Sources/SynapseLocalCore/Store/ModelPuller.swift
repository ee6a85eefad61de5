import Foundation
import SynapseLocalSystem

/// `pull`: downloads files from the Hub into the store, hashing while the bytes arrive, resuming
/// from a partial `blobs/<etag>.incomplete`, and refusing anything whose digest does not match.
public struct ModelPuller: Sendable {
  public struct PulledFile: Codable, Sendable, Equatable {
    public var path: String
    public var sizeBytes: UInt64
    public var sha256: String?
    public var etag: String
    /// False when the blob was already in the store (put there by us or huggingface_hub).
    public var downloaded: Bool

    enum CodingKeys: String, CodingKey {
      case path, sha256, etag, downloaded
      case sizeBytes = "size_bytes"
    }
  }

  public struct Result: Codable, Sendable, Equatable {
    public var repository: String
    public var revision: String
    public var commit: String
    /// The snapshot folder, or the file when one file was asked for.
    public var path: String
    public var files: [PulledFile]
  }

  public var cache: HubCache
  public var hub: HubClient
  /// What a pull waits on while another holds a blob's lock.
  public var time: any TimeSource
  public var offline: Bool
  public var progress: (@Sendable (String, UInt64, UInt64) -> Void)?
  /// Free bytes of the file system holding a folder, when not the store's own file system's answer
  /// (to test a full disk).
  public var freeSpace: (@Sendable (String) -> UInt64?)?
  /// The project's pins: checked before each download, updated after.
  public var lock: ProjectLock?
  public var updateLock = false
  /// Parallel ranged connections per large file, and the least bytes worth one of them.
  public var connections = RangePlan.defaultConnections
  public var minimumPartBytes = RangePlan.defaultMinimumPart

  public init(
    cache: HubCache, hub: HubClient, time: any TimeSource, offline: Bool = false,
    progress: (@Sendable (String, UInt64, UInt64) -> Void)? = nil
  ) {
    self.cache = cache
    self.hub = hub
    self.time = time
    self.offline = offline
    self.progress = progress
  }

  /// One file (`path`) or the whole repository.
  public func pull(_ repository: RepositoryID, path: String?, revision: String) async throws -> Result {
    try await pullFiles(repository, selection: path.map(FileSelection.file) ?? .automatic, revision: revision).0
  }

  /// The result and the lock with this pull's files pinned.
  /// `sha256`: the file's digest when the catalog knows it. A file whose digest is known (there,
  /// or in the lock) and already in the store is reused without asking the Hub, whatever snapshot
  /// holds it: `models import` makes snapshots of its own.
  public func pullFiles(_ repository: RepositoryID, selection: FileSelection, revision: String, sha256: String? = nil) async throws -> (
    Result, ProjectLock?
  ) {
    let single: String? = if case .file(let path) = selection { path } else { nil }
    // It becomes refs/<revision> below: whoever gave it (a REF, a lock), it must stay there.
    guard PathSafety.isRevision(revision) else {
      throw StoreError.unusableReference("\(PathSafety.quoted(revision)) is not a revision; give a branch, tag or commit")
    }
    if let single {
      _ = try validatedPathInRepository(single)
      if !updateLock, let (stored, pins) = storedCopy(repository, path: single, revision: revision, sha256: sha256) {
        return (stored, pins)
      }
    }
    if offline { return (try offlineResult(repository, selection: selection, revision: revision), lock) }
    var pins = lock
    var files: [PulledFile] = []
    var commit = ""
    let paths: [String]
    var metadataRevision = revision
    if let single {
      paths = [single]
    } else {
      let answer = try await hub.listing(repository, revision: revision)
      // One commit for every file: a branch that moves during the pull cannot mix two snapshots.
      let pinnedRevision = answer.commit
      let listing = answer.files.map(\.path)
      // The index or modules.json first: they say which weights the rest is.
      var read: [String: Data] = [:]
      for descriptor in selection.descriptors(in: listing) {
        let (pulled, metadata) = try await pullOne(repository, path: descriptor, revision: pinnedRevision, asked: revision, pins: &pins)
        files.append(pulled)
        commit = metadata.commit
        read[descriptor] = cache.files.contents(cache.snapshot(repository, commit: metadata.commit, path: descriptor))
      }
      let fetched = Set(files.map(\.path))
      let chosen = try selection.files(in: listing, repository: repository.description) { read[$0] }
      guard !chosen.isEmpty else {
        throw StoreError.unusableReference(
          "no file of \(repository)@\(revision) matches \(selection.summary); `synapse-local models list` or the Hub shows its files")
      }
      paths = chosen.filter { !fetched.contains($0) }
      metadataRevision = pinnedRevision
    }
    // Every pin is checked before any weight is fetched, so a refused pull changes nothing.
    var planned: [(String, HubClient.FileMetadata)] = []
    for file in paths {
      let safe = try validatedPathInRepository(file)
      let metadata = try await hub.metadata(repository, revision: metadataRevision, path: safe)
      try lock?.check(repository: repository.description, path: safe, etag: metadata.etag, commit: metadata.commit, update: updateLock)
      planned.append((safe, metadata))
    }
    for (safe, metadata) in planned {
      commit = metadata.commit
      files.append(try await fetch(repository, path: safe, metadata: metadata))
      pins?.record(entry(repository, revision: revision, path: safe, metadata: metadata, pulled: files[files.count - 1]))
    }
    // refs/<branch> for a branch or tag; a commit needs no ref.
    if revision != commit, !commit.isEmpty {
      try StoreFolders.makeFolder(cache.refsFolder(repository), files: cache.files)
      try cache.files.write(Data(commit.utf8), to: cache.ref(repository, name: revision), permissions: 0o644)
    }
    let snapshot = cache.snapshot(repository, commit: commit)
    return (
      Result(
        repository: repository.description, revision: revision, commit: commit, path: single.map { snapshot + "/" + $0 } ?? snapshot,
        files: files), pins
    )
  }

  /// The stored file of known digest, as a pull's result, and the lock with it pinned, when a
  /// snapshot holds it. A pin of another revision than the one asked for is not reused: the Hub
  /// then decides (and the lock's check refuses a changed file).
  func storedCopy(_ repository: RepositoryID, path: String, revision: String, sha256: String?) -> (Result, ProjectLock?)? {
    var pinned = lock?.entry(repository: repository.description, path: path)
    if let pin = pinned, pin.revision != revision && pin.commit != revision { pinned = nil }
    guard let digest = pinned?.sha256 ?? sha256, digest.count == 64,
      let holder = cache.commit(holding: path, digest: digest, in: repository),
      let size = cache.files.size(cache.blob(repository, etag: digest)), pinned.map({ $0.size == size }) ?? true
    else { return nil }
    // The pinned snapshot when it holds the file, else whichever does (an import's).
    let pinnedHolds = pinned.map { cache.files.size(cache.snapshot(repository, commit: $0.commit, path: path)) == size } ?? false
    let commit = pinnedHolds ? pinned!.commit : holder
    progress?(path, size, size)
    var pins = lock
    if pinned == nil {
      pins?.record(
        .init(repository: repository.description, revision: revision, commit: commit, path: path, size: size, sha256: digest, etag: digest))
    }
    return (
      Result(
        repository: repository.description, revision: revision, commit: commit,
        path: cache.snapshot(repository, commit: commit, path: path),
        files: [PulledFile(path: path, sizeBytes: size, sha256: digest, etag: digest, downloaded: false)]), pins
    )
  }

  /// One small file checked against its pin and fetched at once.
  func pullOne(_ repository: RepositoryID, path: String, revision: String, asked: String, pins: inout ProjectLock?) async throws -> (
    PulledFile, HubClient.FileMetadata
  ) {
    let safe = try validatedPathInRepository(path)
    let metadata = try await hub.metadata(repository, revision: revision, path: safe)
    try lock?.check(repository: repository.description, path: safe, etag: metadata.etag, commit: metadata.commit, update: updateLock)
    let pulled = try await fetch(repository, path: safe, metadata: metadata)
    pins?.record(entry(repository, revision: asked, path: safe, metadata: metadata, pulled: pulled))
    return (pulled, metadata)
  }

  func entry(_ repository: RepositoryID, revision: String, path: String, metadata: HubClient.FileMetadata, pulled: PulledFile)
    -> ProjectLock.Entry
  {
    .init(
      repository: repository.description, revision: revision, commit: metadata.commit, path: path, size: metadata.size,
      sha256: pulled.sha256, etag: metadata.etag)
  }

  func fetch(_ repository: RepositoryID, path: String, metadata: HubClient.FileMetadata) async throws -> PulledFile {
    let blobs = cache.blobsFolder(repository)
    try StoreFolders.makeFolder(blobs, files: cache.files)
    guard PathSafety.isEtag(metadata.etag) else {
      throw StoreError.hubError(url: metadata.location, status: 0, message: "etag \(metadata.etag) is not a digest")
    }
    let blob = blobs + "/" + metadata.etag
    let snapshotFile = cache.snapshot(repository, commit: metadata.commit, path: path)
    let depth = path.split(separator: "/").count - 1
    let lock = try await BlobLock.acquire(cache: cache, repository: repository, etag: metadata.etag, time: time)
    defer { lock.release() }
    if cache.files.size(blob) == metadata.size {
      try StoreFolders.link(snapshotFile, toBlob: metadata.etag, depth: depth, files: cache.files)
      progress?(path, metadata.size, metadata.size)
      return PulledFile(
        path: path, sizeBytes: metadata.size, sha256: metadata.etag.count == 64 ? metadata.etag : nil, etag: metadata.etag,
        downloaded: false)
    }
    try checkFreeSpace(blobs, needed: metadata.size - min(metadata.size, cache.files.size(blob + ".incomplete") ?? 0))
    let digest = try await download(metadata, path: path, to: blob + ".incomplete")
    guard digest.check == metadata.etag else {
      try? cache.files.remove(blob + ".incomplete")
      throw StoreError.digestMismatch(path: "\(repository)/\(path)", expected: metadata.etag, actual: digest.check)
    }
    // The partial file was flushed (DigestingSink.finish) before this rename: a crash never leaves
    // a short blob under its name, and a blob whose digest did not match never gets one.
    try StoreError.writing(blob) { try cache.files.move(blob + ".incomplete", to: blob) }
    try StoreFolders.link(snapshotFile, toBlob: metadata.etag, depth: depth, files: cache.files)
    return PulledFile(path: path, sizeBytes: metadata.size, sha256: digest.sha256, etag: metadata.etag, downloaded: true)
  }

  /// Streams the file into `partial` (see ResumableDownload); the Hub's token goes only to its host.
  func download(_ metadata: HubClient.FileMetadata, path: String, to partial: String) async throws -> (sha256: String, check: String) {
    let hub = self.hub
    var downloader = ResumableDownload(transport: hub.transport, files: cache.files, retry: hub.retry) { location, offset, last in
      hub.downloadHeaders(for: location, from: offset, through: last)
    }
    downloader.connections = connections
    downloader.minimumPartBytes = minimumPartBytes
    downloader.progress = progress
    return try await downloader.download(
      from: metadata.location, size: metadata.size, gitSHA1: metadata.etag.count == 40, name: path, to: partial)
  }

  /// Refuses to start a download the disk cannot hold (with 64 MiB to spare).
  public func checkFreeSpace(_ folder: String, needed: UInt64) throws {
    guard let free = freeSpace.map({ $0(folder) }) ?? cache.files.freeBytes(at: folder) else { return }
    let margin: UInt64 = 64 << 20
    if free < needed + margin { throw StoreError.diskFull(path: folder, needed: needed, free: free) }
  }

  func offlineResult(_ repository: RepositoryID, selection: FileSelection, revision: String) throws -> Result {
    let single: String? = if case .file(let path) = selection { path } else { nil }
    let what = "\(repository)\(single.map { "/\($0)" } ?? "")@\(revision)"
    // The lock's commit first: what the project pins, whatever refs/ says now.
    let pinned = lock?.files.first { $0.repository == repository.description && (single == nil || $0.path == single) }?.commit
    guard let commit = pinned ?? (try? cache.resolve(repository, revision: revision)) else { throw StoreError.offline(what) }
    let snapshot = cache.snapshot(repository, commit: commit)
    let stored = try cache.repository(repository).snapshots.first { $0.commit == commit }?.files ?? []
    let names = try selection.files(in: stored.map(\.path), repository: repository.description) {
      cache.files.contents(snapshot + "/" + $0)
    }
    let wanted = stored.filter { names.contains($0.path) }
    guard !wanted.isEmpty, wanted.count == names.count, wanted.allSatisfy({ $0.sizeBytes != nil }) else {
      throw StoreError.offline(what)
    }
    let files = wanted.map {
      PulledFile(path: $0.path, sizeBytes: $0.sizeBytes ?? 0, sha256: $0.blob.count == 64 ? $0.blob : nil, etag: $0.blob, downloaded: false)
    }
    return Result(
      repository: repository.description, revision: revision, commit: commit, path: single.map { snapshot + "/" + $0 } ?? snapshot,
      files: files)
  }
}
