import Foundation
import SynapseLocalSystem

/// `models import`: puts a file or folder obtained offline into the store, so an air-gapped host
/// loads it like a download. Blobs are named by their SHA-256; the snapshot is named by a
/// deterministic 40-hex id (SHA-1 of the sorted "path\tsha256" lines), and `refs/main` points at it.
public struct ModelImporter: Sendable {
  public struct Result: Codable, Sendable, Equatable {
    public var repository: String
    public var revision: String
    public var commit: String
    public var path: String
    public var files: [ImportedFile]
  }

  public struct ImportedFile: Codable, Sendable, Equatable {
    public var path: String
    public var sizeBytes: UInt64
    public var sha256: String
    /// False when an identical blob was already in the store.
    public var copied: Bool

    enum CodingKeys: String, CodingKey {
      case path, sha256, copied
      case sizeBytes = "size_bytes"
    }
  }

  public var cache: HubCache
  var files: any FileSystem { cache.files }
  /// Told each file as it is hashed and copied: (path in repository, bytes done, bytes in all).
  public var progress: (@Sendable (String, UInt64, UInt64) -> Void)?

  public init(cache: HubCache, progress: (@Sendable (String, UInt64, UInt64) -> Void)? = nil) {
    self.cache = cache
    self.progress = progress
  }

  /// `check` sees each file's digest once it is hashed, before anything is placed: a throw there
  /// leaves the store as it was. A file (or a folder placed under a path) joins the files the
  /// revision's snapshot already has, as a commit adding a file would: a repository of several
  /// quantizations keeps the others. A folder imported as the whole repository replaces them.
  public func importModel(
    from source: String, as repository: RepositoryID, pathInRepository: String? = nil, revision: String = "main",
    check: (ImportedFile) throws -> Void = { _ in }
  ) throws -> Result {
    // It becomes refs/<revision>, as a pull's does.
    guard PathSafety.isRevision(revision) else {
      throw StoreError.unusableReference("\(PathSafety.quoted(revision)) is not a revision; give a branch or tag name")
    }
    let (sources, whole) = try collect(source, pathInRepository: pathInRepository)
    let blobs = cache.blobsFolder(repository)
    try makeFolder(blobs)

    var staged: [(temporary: String, file: ImportedFile)] = []
    // A temporary already renamed into place is gone; the others are removed.
    defer { for item in staged { try? files.remove(item.temporary) } }
    for (sourcePath, inRepo) in sources {
      staged.append(try stage(sourcePath, as: inRepo, blobs: blobs))
    }
    for item in staged { try check(item.file) }
    let imported = try staged.map { try place($0.temporary, $0.file, blobs: blobs) }

    // path → blob: the revision's files first (unless the whole repository is replaced), then these.
    var listing: [String: String] = [:]
    if !whole { listing = kept(repository, revision: revision) }
    for file in imported { listing[file.path] = file.sha256 }
    let text = listing.keys.sorted().map { "\($0)\t\(listing[$0] ?? "")\n" }.joined()
    let commit = Digest.hex(.sha1, Array(text.utf8))
    let snapshot = cache.snapshot(repository, commit: commit)
    for (path, blob) in listing {
      try link(snapshot + "/" + path, toBlob: blob, depth: path.split(separator: "/").count - 1)
    }
    try makeFolder(cache.refsFolder(repository))
    try files.write(Data(commit.utf8), to: cache.ref(repository, name: revision), permissions: 0o644)
    return Result(repository: repository.description, revision: revision, commit: commit, path: snapshot, files: imported)
  }

  /// The files of the snapshot `revision` points at now, each by its blob: only those whose blob
  /// is there and whose name has a digest's shape (a link the store cannot vouch for is dropped).
  func kept(_ repository: RepositoryID, revision: String) -> [String: String] {
    guard let commit = cache.readRefs(repository)[revision], PathSafety.isCommit(commit) else { return [:] }
    var files: [String: String] = [:]
    for file in cache.snapshotFiles(cache.snapshot(repository, commit: commit))
    where file.sizeBytes != nil && PathSafety.isEtag(file.blob) && PathSafety.isRelativePath(file.path) {
      files[file.path] = file.blob
    }
    return files
  }

  /// (file on disk, path in the repository) for a file, or every regular file under a folder;
  /// `whole`: a folder imported as the repository itself (no path in it).
  func collect(_ source: String, pathInRepository: String?) throws -> (files: [(String, String)], whole: Bool) {
    guard files.exists(source) else { throw StoreError.importSourceMissing(source) }
    if !files.isDirectory(source) {
      let name = pathInRepository ?? (source as NSString).lastPathComponent
      return ([(source, try validatedPathInRepository(name))], false)
    }
    let prefix = try pathInRepository.map { try validatedPathInRepository($0) + "/" } ?? ""
    guard let relatives = files.walk(source) else {
      throw StoreError.unreadable(path: source, reason: "cannot list the folder")
    }
    var found: [(String, String)] = []
    for relative in relatives {
      let path = source + "/" + relative
      guard files.exists(path), !files.isDirectory(path) else { continue }
      // Caches and VCS data of a checkout are not model files.
      if relative.hasPrefix(".git/") || relative.hasPrefix(".cache/") || relative.contains("/__pycache__/") { continue }
      found.append((path, try validatedPathInRepository(prefix + relative)))
    }
    guard !found.isEmpty else { throw StoreError.importSourceMissing("\(source) (an empty folder)") }
    return (found.sorted { $0.1 < $1.1 }, pathInRepository == nil)
  }

  /// Hashes while copying into a temporary blob; nothing is visible under a blob's name yet.
  func stage(_ source: String, as path: String, blobs: String) throws -> (temporary: String, file: ImportedFile) {
    let total = files.entry(source)?.size ?? 0
    let temporary = blobs + "/.import-\(UUID().uuidString).incomplete"
    do {
      let sha256 = try copyHashing(source, to: temporary) { done in progress?(path, done, total) }
      return (temporary, ImportedFile(path: path, sizeBytes: total, sha256: sha256, copied: true))
    } catch {
      try? files.remove(temporary)
      throw error
    }
  }

  /// Renames a staged file to its SHA-256: a blob is never visible under its name unless its
  /// contents match it. An existing blob of the same size is reused.
  func place(_ temporary: String, _ file: ImportedFile, blobs: String) throws -> ImportedFile {
    let blob = blobs + "/" + file.sha256
    var placed = file
    if files.entry(blob)?.size == file.sizeBytes {
      placed.copied = false
      return placed
    }
    try StoreError.writing(blob) { try files.move(temporary, to: blob) }
    return placed
  }

  func copyHashing(_ source: String, to destination: String, progress: (UInt64) -> Void) throws -> String {
    let input = try StoreError.reading(source) { try files.open(source, .read) }
    defer { input.close() }
    let output = try StoreError.writing(destination) { try files.open(destination, .createNew) }
    defer { output.close() }
    let digest = Digest(.sha256)
    var done: UInt64 = 0
    try FileBlocks.forEachBlock(input) { block in
      digest.update(block)
      try FileBlocks.writeAll(output, block)
      done += UInt64(block.count)
      progress(done)
    }
    // On the disk before the rename that names it: a crash never leaves a short blob.
    try StoreError.writing(destination) { try output.sync() }
    return digest.finish()
  }

  func link(_ path: String, toBlob blob: String, depth: Int) throws {
    try StoreFolders.link(path, toBlob: blob, depth: depth, files: files)
  }

  func makeFolder(_ path: String) throws {
    try StoreFolders.makeFolder(path, files: files)
  }
}
