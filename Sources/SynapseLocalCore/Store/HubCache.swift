import Foundation
import SynapseLocalSystem

/// The model store: the Hugging Face cache layout, shared with huggingface_hub, transformers and
/// sentence-transformers. `models--ORG--REPO/blobs/<etag>` holds contents, `snapshots/<commit>/<path>`
/// relative symlinks to them, `refs/<branch>` the commit a branch points at.
public struct HubCache: Sendable {
  public let root: String
  /// What the store is read and written through.
  public let files: any FileSystem

  public init(root: String, files: any FileSystem) {
    self.root = root
    self.files = files
  }

  public static func live(environment: [String: String], files: any FileSystem) -> HubCache {
    HubCache(root: HubCacheLocation.path(environment: environment), files: files)
  }

  public func folder(_ repository: RepositoryID) -> String { "\(root)/\(repository.cacheFolderName)" }

  // The layout, built here only (huggingface_hub's: `models--org--name/{snapshots/COMMIT/PATH,
  // blobs/ETAG,refs/NAME}`); the relative forms name a bundle's members and a container's paths.

  /// The folder of a repository's snapshots, one per commit.
  public static let snapshotsFolder = "snapshots"

  /// `models--org--name/snapshots/COMMIT`, or the file `PATH` in it.
  public static func relativeSnapshot(_ repository: RepositoryID, commit: String, path: String? = nil) -> String {
    "\(repository.cacheFolderName)/\(snapshotsFolder)/\(commit)" + (path.map { "/\($0)" } ?? "")
  }

  /// `models--org--name/blobs/ETAG`.
  public static func relativeBlob(_ repository: RepositoryID, etag: String) -> String {
    "\(repository.cacheFolderName)/blobs/\(etag)"
  }

  /// A snapshot folder, or the file `path` in it.
  public func snapshot(_ repository: RepositoryID, commit: String, path: String? = nil) -> String {
    root + "/" + Self.relativeSnapshot(repository, commit: commit, path: path)
  }

  /// A repository's `blobs/` and `refs/` folders.
  public func blobsFolder(_ repository: RepositoryID) -> String { folder(repository) + "/blobs" }
  public func refsFolder(_ repository: RepositoryID) -> String { folder(repository) + "/refs" }

  /// What a snapshot's file links to: `../../blobs/BLOB`, one more `../` per sub-folder of the
  /// file's path in its repository.
  public static func linkTarget(toBlob blob: String, path: String) -> String {
    linkTarget(toBlob: blob, depth: path.split(separator: "/").count - 1)
  }

  /// The same, for a file `depth` sub-folders below its snapshot.
  public static func linkTarget(toBlob blob: String, depth: Int) -> String {
    String(repeating: "../", count: 2 + depth) + "blobs/" + blob
  }

  /// A ref (`refs/main`): the file holding the commit a revision name points at.
  public func ref(_ repository: RepositoryID, name: String) -> String { folder(repository) + "/refs/" + name }

  /// A blob, by the etag the Hub names it with (a SHA-256 for LFS files).
  public func blob(_ repository: RepositoryID, etag: String) -> String { root + "/" + Self.relativeBlob(repository, etag: etag) }

  public struct StoredFile: Codable, Sendable, Equatable {
    public var path: String
    public var blob: String
    public var sizeBytes: UInt64?
    /// The lock files (of the projects asked about) that pin this exact file.
    public var lockedBy: [String] = []

    enum CodingKeys: String, CodingKey {
      case path, blob
      case sizeBytes = "size_bytes"
      case lockedBy = "locked_by"
    }

    public init(path: String, blob: String, sizeBytes: UInt64?) {
      self.path = path
      self.blob = blob
      self.sizeBytes = sizeBytes
    }
  }

  public struct Snapshot: Codable, Sendable, Equatable {
    public var commit: String
    public var refs: [String]
    public var files: [StoredFile]
  }

  public struct Repository: Codable, Sendable, Equatable {
    public var repository: String
    public var folder: String
    public var snapshots: [Snapshot]
    /// Bytes of the distinct blobs the snapshots use.
    public var sizeBytes: UInt64

    enum CodingKeys: String, CodingKey {
      case repository, folder, snapshots
      case sizeBytes = "size_bytes"
    }
  }

  /// Every model repository in the cache, with its snapshots and files.
  public func repositories() throws -> [Repository] {
    guard let names = files.list(root) else { return [] }
    return try names.compactMap(RepositoryID.init(cacheFolderName:)).sorted().map(repository)
  }

  public func repository(_ id: RepositoryID) throws -> Repository {
    let base = folder(id)
    guard files.exists(base) else { throw StoreError.notInStore(id.description) }
    let refs = readRefs(id)
    let commits = (files.list(base + "/snapshots") ?? []).sorted()
    var blobs: [String: UInt64] = [:]
    let snapshots = commits.map { commit in
      let files = snapshotFiles(base + "/snapshots/" + commit)
      for file in files { blobs[file.blob] = file.sizeBytes ?? 0 }
      return Snapshot(commit: commit, refs: refs.filter { $0.value == commit }.map(\.key).sorted(), files: files)
    }
    return Repository(repository: id.description, folder: base, snapshots: snapshots, sizeBytes: blobs.values.reduce(0, +))
  }

  /// The snapshot whose `path` is the blob `digest`, whatever its commit: `models import` makes
  /// its own, so a catalog pin and an imported copy of the same bytes differ only in the commit.
  public func commit(holding path: String, digest: String, in id: RepositoryID) -> String? {
    guard let repository = try? repository(id) else { return nil }
    return repository.snapshots.first { $0.files.contains { $0.path == path && $0.blob == digest } }?.commit
  }

  /// Marks the files a lock pins (same repository, path and etag) with the lock's path.
  public static func markLocked(_ repositories: [Repository], by lock: ProjectLock, at lockPath: String) -> [Repository] {
    repositories.map { repository in
      var repository = repository
      for s in repository.snapshots.indices {
        for f in repository.snapshots[s].files.indices {
          let file = repository.snapshots[s].files[f]
          if let entry = lock.entry(repository: repository.repository, path: file.path), entry.etag == file.blob {
            repository.snapshots[s].files[f].lockedBy.append(lockPath)
          }
        }
      }
      return repository
    }
  }

  /// Branch (or tag) name → commit, from `refs/`.
  public func readRefs(_ id: RepositoryID) -> [String: String] {
    let refsFolder = folder(id) + "/refs"
    var refs: [String: String] = [:]
    for name in files.walk(refsFolder) ?? [] {
      let path = refsFolder + "/" + name
      guard files.exists(path), !files.isDirectory(path), let text = files.readText(path) else { continue }
      refs[name] = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return refs
  }

  /// The files of one snapshot folder: each a symlink whose last component is the blob's name.
  func snapshotFiles(_ snapshot: String) -> [StoredFile] {
    var stored: [StoredFile] = []
    for relative in files.walk(snapshot) ?? [] {
      let path = snapshot + "/" + relative
      guard let target = files.linkTarget(path) else { continue }
      let blob = (target as NSString).lastPathComponent
      stored.append(StoredFile(path: relative, blob: blob, sizeBytes: files.size(path)))
    }
    return stored.sorted { $0.path < $1.path }
  }

  /// The commit a revision names: a ref's commit, or the revision itself when it is a snapshot.
  public func resolve(_ id: RepositoryID, revision: String) throws -> String {
    if let commit = readRefs(id)[revision] { return commit }
    if files.exists(folder(id) + "/snapshots/" + revision) { return revision }
    throw StoreError.notInStore("\(id)@\(revision)")
  }
}
