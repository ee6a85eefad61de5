import Foundation
import SynapseLocalSystem
import Testing

/// Owners, and what a path leads to through its links, in memory.
extension MemoryFileSystem {
  public func resolvedEntry(_ path: String) -> FileEntry? {
    guard allowed(path, "look-up") else { return nil }
    return lock.withLock {
      let target = followingLinks(path)
      // A chain of links that does not end (ELOOP) leads nowhere.
      guard links[target] == nil else { return nil }
      return entryHere(target)
    }
  }

  public func setOwner(_ owner: FileOwner, of path: String) throws {
    guard allowed(path, "owner change") else { throw refused(path, "outside the test's folders") }
    try lock.withLock {
      guard files[path] != nil || links[path] != nil || isFolder(path) else { throw refused(path, "No such file or directory") }
      owners[path] = owner
    }
  }
}
