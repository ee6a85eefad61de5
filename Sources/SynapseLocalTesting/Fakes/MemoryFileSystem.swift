import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// Files in memory, under the folders a test names: a read or write anywhere else is a test failure
/// (a unit test must not touch the machine's files by accident). Writes are whole-file, as the
/// real ones are atomic.
public final class MemoryFileSystem: FileSystem, @unchecked Sendable {
  let lock = NSLock()
  var files: [String: (data: Data, permissions: Int)] = [:]
  var folders: Set<String> = []
  var links: [String: String] = [:]
  var modified: [String: Date] = [:]
  var locked: Set<String> = []
  /// Modes of folders created or changed with one; any other folder is 0755.
  var folderPermissions: [String: Int] = [:]
  /// Which file a path holds, as an inode number says on disk: kept by a move and a hard link,
  /// new for a file written or copied. Given out when first asked.
  var identities: [String: Int] = [:]
  var nextIdentity = 1
  var owners: [String: FileOwner] = [:]
  var writebacks: [String: [Writeback]] = [:]
  /// Who owns what no one gave away: this process, as on a disk.
  public var defaultOwner = FileOwner(user: geteuid(), group: getegid())
  /// What `entry` reports as a file's time when none was set.
  public var defaultModified = Date(timeIntervalSince1970: 1_800_000_000)
  private let roots: [String]
  public var freeSpace: UInt64 = 100 << 30

  /// `roots`: the only folders this file system answers for.
  public init(roots: [String], files: [String: String] = [:]) {
    self.roots = roots.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    for (path, text) in files { self.files[path] = (Data(text.utf8), 0o644) }
  }

  func allowed(_ path: String, _ action: String) -> Bool {
    if roots.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { return true }
    Issue.record("unexpected \(action) of \(path) (outside \(roots.joined(separator: ", ")))")
    return false
  }

  /// A file's text and mode, for assertions.
  public func text(_ path: String) -> String? { lock.withLock { files[path].map { String(decoding: $0.data, as: UTF8.self) } } }
  /// A range an open file asked the disk to write back (`startWriteback`), or waited for.
  public struct Writeback: Equatable, Sendable {
    public var offset: UInt64
    public var length: UInt64
    public var waited: Bool

    public init(offset: UInt64, length: UInt64, waited: Bool) {
      self.offset = offset
      self.length = length
      self.waited = waited
    }
  }

  /// The writebacks asked of `path`'s open files, in order.
  public func writebacks(_ path: String) -> [Writeback] { lock.withLock { writebacks[path] ?? [] } }

  func record(_ writeback: Writeback, of path: String) { lock.withLock { writebacks[path, default: []].append(writeback) } }

  public func permissions(_ path: String) -> Int? { lock.withLock { files[path]?.permissions } }
  public var paths: [String] { lock.withLock { files.keys.sorted() } }

  /// The file at `path` (through links), as an inode number tells one file from another: the
  /// same after a move, different after a copy or a write. Nil when there is no file.
  public func identity(_ path: String) -> Int? {
    lock.withLock {
      let target = followingLinks(path)
      guard files[target] != nil else { return nil }
      return identityLocked(target)
    }
  }

  func identityLocked(_ path: String) -> Int {
    if let known = identities[path] { return known }
    defer { nextIdentity += 1 }
    identities[path] = nextIdentity
    return nextIdentity
  }

  public func link(_ path: String, to target: String) { lock.withLock { links[path] = target } }

  /// Through links, as reading a real file is (a store file is a link to its blob).
  public func contents(_ path: String) -> Data? {
    guard allowed(path, "read") else { return nil }
    return lock.withLock { files[followingLinks(path)]?.data }
  }

  /// Through links, as the real look-up is: a link whose target is missing does not exist.
  public func exists(_ path: String) -> Bool {
    guard allowed(path, "look-up") else { return false }
    return lock.withLock {
      let target = followingLinks(path)
      return files[target] != nil || isFolder(target) || links[target] != nil
    }
  }

  /// A folder made, or one above a file, a link or a folder made (as their parents are on a disk).
  func isFolder(_ path: String) -> Bool {
    // A folder created with its parents makes each of them a folder, as on disk.
    folders.contains(path) || folders.contains { $0.hasPrefix(path + "/") } || files.keys.contains { $0.hasPrefix(path + "/") }
      || links.keys.contains { $0.hasPrefix(path + "/") }
  }

  public func isDirectory(_ path: String) -> Bool {
    guard allowed(path, "look-up") else { return false }
    return lock.withLock { isFolder(path) }
  }

  public func isExecutable(_ path: String) -> Bool {
    guard allowed(path, "look-up") else { return false }
    return lock.withLock { (files[path]?.permissions ?? 0) & 0o111 != 0 }
  }

  public func list(_ path: String) -> [String]? {
    guard allowed(path, "listing") else { return nil }
    return lock.withLock {
      guard isFolder(path) else { return nil }
      let prefix = path + "/"
      let names = (Array(files.keys) + Array(folders) + Array(links.keys)).filter { $0.hasPrefix(prefix) }.map {
        String($0.dropFirst(prefix.count).split(separator: "/").first ?? "")
      }
      return Array(Set(names))
    }
  }

  public func linkTarget(_ path: String) -> String? {
    guard allowed(path, "read") else { return nil }
    return lock.withLock { links[path] }
  }

  public func size(_ path: String) -> UInt64? {
    guard allowed(path, "look-up") else { return nil }
    return lock.withLock { files[followingLinks(path)].map { UInt64($0.data.count) } }
  }

  /// Where a chain of links ends; a relative target is taken from the link's folder, as the
  /// store's `../../blobs/<etag>` links are.
  func followingLinks(_ path: String) -> String {
    var current = path
    // A bound, so a loop of links ends.
    for _ in 0..<16 {
      guard let target = links[current] else { return current }
      let joined = target.hasPrefix("/") ? target : (current as NSString).deletingLastPathComponent + "/" + target
      var parts: [Substring] = []
      for part in joined.split(separator: "/") where part != "." {
        if part == ".." { _ = parts.popLast() } else { parts.append(part) }
      }
      current = "/" + parts.joined(separator: "/")
    }
    return current
  }

  public func freeBytes(at path: String) -> UInt64? { freeSpace }

  public func write(_ data: Data, to path: String, permissions: Int) throws {
    guard allowed(path, "write") else { throw GenerateError.unwritable(path: path, reason: "outside the test's folders") }
    lock.withLock {
      files[path] = (data, permissions)
      identities[path] = nil
    }
  }

  public func setPermissions(_ permissions: Int, of path: String) throws {
    guard allowed(path, "mode change") else { throw GenerateError.unwritable(path: path, reason: "outside the test's folders") }
    try lock.withLock {
      if files[path] == nil, isFolder(path) {
        folderPermissions[path] = permissions
        return
      }
      guard let file = files[path] else { throw GenerateError.unwritable(path: path, reason: "no such file") }
      files[path] = (file.data, permissions)
    }
  }

  public func createDirectory(_ path: String, permissions: Int) throws {
    guard allowed(path, "folder creation") else { throw GenerateError.unwritable(path: path, reason: "outside the test's folders") }
    lock.withLock {
      // Each folder it creates gets the mode, as the real call gives it to each.
      var missing = path
      while !missing.isEmpty, missing != "/", !isFolder(missing), files[missing] == nil {
        folderPermissions[missing] = permissions
        missing = (missing as NSString).deletingLastPathComponent
      }
      folders.insert(path)
    }
  }

  public func remove(_ path: String) throws {
    guard allowed(path, "removal") else { return }
    lock.withLock {
      files[path] = nil
      links[path] = nil
      identities[path] = nil
      folderPermissions[path] = nil
      folders = folders.filter { $0 != path && !$0.hasPrefix(path + "/") }
      folderPermissions = folderPermissions.filter { $0.key != path && !$0.key.hasPrefix(path + "/") }
      owners = owners.filter { $0.key != path && !$0.key.hasPrefix(path + "/") }
      for key in files.keys where key.hasPrefix(path + "/") { files[key] = nil }
      for key in links.keys where key.hasPrefix(path + "/") { links[key] = nil }
      for key in identities.keys where key.hasPrefix(path + "/") { identities[key] = nil }
      for key in folderPermissions.keys where key.hasPrefix(path + "/") { folderPermissions[key] = nil }
    }
  }
}
