import Foundation
import SynapseLocalSystem
import Yams

/// `synapse-local.lock`: pins, per pulled or imported file, repository, revision, commit, path, size
/// and digests, so a project gets the same bytes every time and a changed file on the Hub is
/// noticed instead of silently loaded; and, per runtime and platform, the engine release or
/// requirement set `install` provisioned, so a project carried to another machine installs the same
/// versions. It lives beside the project's `synapse-local.yaml`.
public struct ProjectLock: Codable, Sendable, Equatable {
  public struct Entry: Codable, Sendable, Equatable {
    public var repository: String
    public var revision: String
    public var commit: String
    public var path: String
    public var size: UInt64
    public var sha256: String?
    /// The Hub's etag: the SHA-256 for LFS files, the git blob SHA-1 for small ones.
    public var etag: String
    /// Put in the store by `models import`: its commit is the import's own, not one the Hub has.
    public var imported: Bool?

    public init(
      repository: String, revision: String, commit: String, path: String, size: UInt64, sha256: String?, etag: String, imported: Bool? = nil
    ) {
      self.imported = imported
      self.repository = repository
      self.revision = revision
      self.commit = commit
      self.path = path
      self.size = size
      self.sha256 = sha256
      self.etag = etag
    }
  }

  /// One runtime on one platform: tag, asset and archive digest for engines; the requirement
  /// set's hash for Python runtimes.
  public struct RuntimePin: Codable, Sendable, Equatable {
    public var id: String
    public var platform: String
    public var version: String
    public var variant: String
    public var asset: String?
    public var sha256: String?
    public var requirements: String?

    public init(
      id: String, platform: String, version: String, variant: String, asset: String? = nil, sha256: String? = nil,
      requirements: String? = nil
    ) {
      self.id = id
      self.platform = platform
      self.version = version
      self.variant = variant
      self.asset = asset
      self.sha256 = sha256
      self.requirements = requirements
    }
  }

  /// The `--include`/`--exclude` a whole repository was pulled with, so a later pull (and
  /// another machine) fetches the same set.
  public struct Selection: Codable, Sendable, Equatable {
    public var repository: String
    public var include: [String]
    public var exclude: [String]

    public init(repository: String, patterns: FilePatterns) {
      self.repository = repository
      self.include = patterns.include
      self.exclude = patterns.exclude
    }

    public var patterns: FilePatterns { FilePatterns(include: include, exclude: exclude) }
  }

  public var version = 1
  public var files: [Entry] = []
  public var selections: [Selection] = []
  public var runtimes: [RuntimePin] = []

  enum CodingKeys: String, CodingKey {
    case version, files, selections, runtimes
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    version = try container.decodeIfPresent(Int.self, forKey: .version) ?? 1
    files = try container.decodeIfPresent([Entry].self, forKey: .files) ?? []
    selections = try container.decodeIfPresent([Selection].self, forKey: .selections) ?? []
    runtimes = try container.decodeIfPresent([RuntimePin].self, forKey: .runtimes) ?? []
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(version, forKey: .version)
    try container.encode(files, forKey: .files)
    if !selections.isEmpty { try container.encode(selections, forKey: .selections) }
    if !runtimes.isEmpty { try container.encode(runtimes, forKey: .runtimes) }
  }

  public static let fileName = "synapse-local.lock"
  public static let projectFileName = "synapse-local.yaml"

  public init() {}

  /// The lock file a command should use: `--lock FILE`, else the project's, else none (a folder
  /// that is not a project keeps no lock).
  public static func location(project: String, explicit: String?, files: any FileSystem) -> String? {
    if let explicit { return explicit }
    guard files.exists(project + "/" + projectFileName) else { return nil }
    return project + "/" + fileName
  }

  /// The lock at `path` (none there: an empty one), every value checked (`unsafeValue`).
  public static func load(_ path: String, files: any FileSystem) throws -> ProjectLock {
    guard let data = files.contents(path) else { return ProjectLock() }
    let lock: ProjectLock
    do {
      lock = try YAMLDecoder().decode(ProjectLock.self, from: String(decoding: data, as: UTF8.self))
    } catch {
      throw StoreError.badLock(path: path, reason: "\(error)")
    }
    if let refused = lock.unsafeValue { throw StoreError.badLock(path: path, reason: refused) }
    return lock
  }

  public func save(_ path: String, files: any FileSystem) throws {
    var sorted = self
    sorted.files.sort { ($0.repository, $0.path) < ($1.repository, $1.path) }
    sorted.selections.sort { $0.repository < $1.repository }
    sorted.runtimes.sort { ($0.id, $0.platform) < ($1.id, $1.platform) }
    let text = try YAMLEncoder().encode(sorted)
    try files.write(
      Data(("# Written by synapse-local pull, models import and install. Commit it with the project.\n" + text).utf8), to: path,
      permissions: 0o644)
  }

  public func entry(repository: String, path: String) -> Entry? {
    files.first { $0.repository == repository && $0.path == path }
  }

  /// Fails when the lock pins this file at other bytes, unless `update` allows moving the pin.
  public func check(repository: String, path: String, etag: String, commit: String, update: Bool) throws {
    guard let pinned = entry(repository: repository, path: path), pinned.etag != etag, !update else { return }
    throw StoreError.lockMismatch(
      file: "\(repository)/\(path)", pinned: pinned.etag, pinnedCommit: pinned.commit, found: etag, foundCommit: commit)
  }

  public mutating func record(_ entry: Entry) {
    files.removeAll { $0.repository == entry.repository && $0.path == entry.path }
    files.append(entry)
  }

  /// The patterns a repository was pulled with, if it was.
  public func patterns(for repository: String) -> FilePatterns? {
    selections.first { $0.repository == repository }?.patterns
  }

  public mutating func record(_ selection: Selection) {
    selections.removeAll { $0.repository == selection.repository }
    selections.append(selection)
  }

  /// The runtime pinned for this platform, if any.
  public func runtime(_ id: RuntimeID, platform: Platform) -> RuntimePin? {
    runtimes.first { $0.id == id.rawValue && $0.platform == platform.rawValue }
  }

  public mutating func record(_ pin: RuntimePin) {
    runtimes.removeAll { $0.id == pin.id && $0.platform == pin.platform }
    runtimes.append(pin)
  }
}
