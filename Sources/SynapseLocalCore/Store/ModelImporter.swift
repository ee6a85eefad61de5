import Foundation

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
  /// Told each file as it is hashed and copied: (path in repository, bytes done, bytes in all).
  public var progress: (@Sendable (String, UInt64, UInt64) -> Void)?

  public init(cache: HubCache, progress: (@Sendable (String, UInt64, UInt64) -> Void)? = nil) {
    self.cache = cache
    self.progress = progress
  }

  public func importModel(from source: String, as repository: RepositoryID, pathInRepository: String? = nil, revision: String = "main")
    throws -> Result
  {
    // It becomes refs/<revision>, as a pull's does.
    guard PathSafety.isRevision(revision) else {
      throw StoreError.unusableReference("\(PathSafety.quoted(revision)) is not a revision; give a branch or tag name")
    }
    let files = try collect(source, pathInRepository: pathInRepository)
    let base = cache.folder(repository)
    let blobs = base + "/blobs"
    try makeFolder(blobs)

    var imported: [ImportedFile] = []
    for (sourcePath, inRepo) in files {
      imported.append(try store(sourcePath, as: inRepo, blobs: blobs))
    }
    let listing = imported.sorted { $0.path < $1.path }.map { "\($0.path)\t\($0.sha256)\n" }.joined()
    let commit = Digest.hex(.sha1, Array(listing.utf8))
    let snapshot = base + "/snapshots/" + commit
    for file in imported {
      try link(snapshot + "/" + file.path, toBlob: file.sha256, depth: file.path.split(separator: "/").count - 1)
    }
    try makeFolder(base + "/refs")
    try AtomicFile.write(Data(commit.utf8), to: base + "/refs/" + revision)
    return Result(repository: repository.description, revision: revision, commit: commit, path: snapshot, files: imported)
  }

  /// (file on disk, path in the repository) for a file, or every regular file under a folder.
  func collect(_ source: String, pathInRepository: String?) throws -> [(String, String)] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else { throw StoreError.importSourceMissing(source) }
    if !isDirectory.boolValue {
      let name = pathInRepository ?? (source as NSString).lastPathComponent
      return [(source, try validatedPathInRepository(name))]
    }
    let prefix = try pathInRepository.map { try validatedPathInRepository($0) + "/" } ?? ""
    guard let enumerator = FileManager.default.enumerator(atPath: source) else {
      throw StoreError.unreadable(path: source, reason: "cannot list the folder")
    }
    var files: [(String, String)] = []
    while let relative = enumerator.nextObject() as? String {
      let path = source + "/" + relative
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
      // Caches and VCS data of a checkout are not model files.
      if relative.hasPrefix(".git/") || relative.hasPrefix(".cache/") || relative.contains("/__pycache__/") { continue }
      files.append((path, try validatedPathInRepository(prefix + relative)))
    }
    guard !files.isEmpty else { throw StoreError.importSourceMissing("\(source) (an empty folder)") }
    return files.sorted { $0.1 < $1.1 }
  }

  /// Hashes while copying into a temporary blob, then renames it to its SHA-256: a blob is never
  /// visible under its name unless its contents match it. An existing blob of the same size is reused.
  func store(_ source: String, as path: String, blobs: String) throws -> ImportedFile {
    let total = (try? FileManager.default.attributesOfItem(atPath: source))?[.size] as? UInt64 ?? 0
    let temporary = blobs + "/.import-\(UUID().uuidString).incomplete"
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    let sha256 = try copyHashing(source, to: temporary) { done in progress?(path, done, total) }
    let blob = blobs + "/" + sha256
    let existing = (try? FileManager.default.attributesOfItem(atPath: blob))?[.size] as? UInt64
    if existing == total {
      return ImportedFile(path: path, sizeBytes: total, sha256: sha256, copied: false)
    }
    guard rename(temporary, blob) == 0 else { throw StoreError.unwritable(path: blob, reason: String(cString: strerror(errno))) }
    return ImportedFile(path: path, sizeBytes: total, sha256: sha256, copied: true)
  }

  func copyHashing(_ source: String, to destination: String, progress: (UInt64) -> Void) throws -> String {
    let input = open(source, O_RDONLY)
    guard input >= 0 else { throw StoreError.unreadable(path: source, reason: String(cString: strerror(errno))) }
    defer { close(input) }
    let output = open(destination, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard output >= 0 else { throw StoreError.unwritable(path: destination, reason: String(cString: strerror(errno))) }
    defer { close(output) }
    let digest = Digest(.sha256)
    var done: UInt64 = 0
    try FileBlocks.forEachBlock(input, path: source) { block in
      digest.update(block)
      try FileBlocks.writeAll(output, block, path: destination)
      done += UInt64(block.count)
      progress(done)
    }
    guard fsync(output) == 0 else { throw StoreError.unwritable(path: destination, reason: String(cString: strerror(errno))) }
    return digest.finish()
  }

  func link(_ path: String, toBlob blob: String, depth: Int) throws {
    try StoreFolders.link(path, toBlob: blob, depth: depth)
  }

  func makeFolder(_ path: String) throws {
    try StoreFolders.makeFolder(path)
  }
}
