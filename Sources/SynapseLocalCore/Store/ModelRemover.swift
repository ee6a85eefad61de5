import Foundation
import SynapseLocalSystem

/// `models rm`: removes a repository's snapshot (or all of them) and every blob no remaining
/// snapshot uses; refs pointing at a removed snapshot go with it.
public struct ModelRemover: Sendable {
  public struct Result: Codable, Sendable, Equatable {
    public var repository: String
    public var removedSnapshots: [String]
    public var removedBlobs: Int
    public var freedBytes: UInt64

    enum CodingKeys: String, CodingKey {
      case repository
      case removedSnapshots = "removed_snapshots"
      case removedBlobs = "removed_blobs"
      case freedBytes = "freed_bytes"
    }
  }

  public var cache: HubCache

  public init(cache: HubCache) {
    self.cache = cache
  }

  public func remove(_ id: RepositoryID, revision: String? = nil) throws -> Result {
    let repository = try cache.repository(id)
    let doomed: Set<String> = try revision.map { [try cache.resolve(id, revision: $0)] } ?? Set(repository.snapshots.map(\.commit))
    let kept = repository.snapshots.filter { !doomed.contains($0.commit) }
    let keptBlobs = Set(kept.flatMap { $0.files.map(\.blob) })
    let base = cache.folder(id)

    var freed: UInt64 = 0
    var removedBlobs = 0
    let blobNames = cache.files.list(cache.blobsFolder(id)) ?? []
    for commit in doomed.sorted() { try delete(cache.snapshot(id, commit: commit)) }
    for (name, commit) in cache.readRefs(id) where doomed.contains(commit) { try delete(cache.ref(id, name: name)) }
    for name in blobNames where !keptBlobs.contains(name) {
      let path = cache.blob(id, etag: name)
      freed += cache.files.entry(path)?.size ?? 0
      try delete(path)
      removedBlobs += 1
    }
    if kept.isEmpty { try delete(base) }
    return Result(repository: id.description, removedSnapshots: doomed.sorted(), removedBlobs: removedBlobs, freedBytes: freed)
  }

  func delete(_ path: String) throws {
    try StoreError.writing(path) { try cache.files.remove(path) }
  }
}
