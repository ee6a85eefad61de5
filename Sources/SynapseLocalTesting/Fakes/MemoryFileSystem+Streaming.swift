import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// Moves, links, copies, locks and open files in memory, with the real calls' rules: a move replaces
/// a file, a link put in place without replacing fails on an existing path, a lock is exclusive.
extension MemoryFileSystem {
  func refused(_ path: String, _ reason: String) -> FileSystemError {
    FileSystemError(action: "use", path: path, reason: reason)
  }

  public func entry(_ path: String) -> FileEntry? {
    guard allowed(path, "look-up") else { return nil }
    return lock.withLock {
      entryHere(path)
    }
  }

  /// `lstat` of a path, the lock held.
  func entryHere(_ path: String) -> FileEntry? {
    let time = modified[path] ?? defaultModified
    let owner = owners[path] ?? defaultOwner
    if let target = links[path] {
      return FileEntry(kind: .link, size: UInt64(target.utf8.count), permissions: 0o777, modified: time, owner: owner)
    }
    if let file = files[path] {
      return FileEntry(kind: .file, size: UInt64(file.data.count), permissions: file.permissions, modified: time, owner: owner)
    }
    if isFolder(path) {
      return FileEntry(kind: .folder, size: 0, permissions: folderPermissions[path] ?? 0o755, modified: time, owner: owner)
    }
    return nil
  }

  public func walk(_ folder: String) -> [String]? {
    guard allowed(folder, "listing") else { return nil }
    return lock.withLock {
      guard isFolder(folder) else { return nil }
      let prefix = folder + "/"
      var found = Set<String>()
      for path in Array(files.keys) + Array(folders) + Array(links.keys) where path.hasPrefix(prefix) {
        // Each file's parent folders are listed too, as a real walk lists them.
        let parts = path.dropFirst(prefix.count).split(separator: "/")
        for depth in 1...max(parts.count, 1) where depth <= parts.count {
          found.insert(parts.prefix(depth).joined(separator: "/"))
        }
      }
      return Array(found)
    }
  }

  public func move(_ source: String, to destination: String) throws {
    guard allowed(source, "move"), allowed(destination, "move") else { throw refused(source, "outside the test's folders") }
    try lock.withLock {
      // rename(2) into a folder that is a file: ENOTDIR.
      var parent = (destination as NSString).deletingLastPathComponent
      while parent.count > 1 {
        guard files[parent] == nil else { throw refused(destination, "Not a directory") }
        parent = (parent as NSString).deletingLastPathComponent
      }
      if let file = files[source] {
        files[destination] = file
        links[destination] = nil
        files[source] = nil
        identities[destination] = identities.removeValue(forKey: source)
      } else if let target = links[source] {
        links[destination] = target
        files[destination] = nil
        links[source] = nil
        identities[destination] = nil
      } else if isFolder(source) {
        guard !isFolder(destination) else { throw refused(destination, "Directory not empty") }
        let prefix = source + "/"
        for key in files.keys where key.hasPrefix(prefix) {
          files[destination + key.dropFirst(source.count)] = files.removeValue(forKey: key)
        }
        for key in links.keys where key.hasPrefix(prefix) {
          links[destination + key.dropFirst(source.count)] = links.removeValue(forKey: key)
        }
        for key in identities.keys where key.hasPrefix(prefix) {
          identities[destination + key.dropFirst(source.count)] = identities.removeValue(forKey: key)
        }
        for key in folderPermissions.keys where key == source || key.hasPrefix(prefix) {
          folderPermissions[destination + key.dropFirst(source.count)] = folderPermissions.removeValue(forKey: key)
        }
        folders = Set(folders.map { $0 == source || $0.hasPrefix(prefix) ? destination + $0.dropFirst(source.count) : $0 })
        folders.insert(destination)
      } else {
        throw refused(source, "No such file or directory")
      }
      modified[destination] = modified.removeValue(forKey: source)
      owners[destination] = owners.removeValue(forKey: source)
      for key in folderPermissions.keys where key == source || key.hasPrefix(source + "/") {
        folderPermissions[destination + key.dropFirst(source.count)] = folderPermissions.removeValue(forKey: key)
      }
    }
  }

  public func createLink(_ path: String, to target: String) throws {
    guard allowed(path, "link") else { throw refused(path, "outside the test's folders") }
    lock.withLock {
      files[path] = nil
      identities[path] = nil
      links[path] = target
    }
  }

  public func placeWithoutReplacing(_ source: String, at path: String) throws {
    guard allowed(source, "read"), allowed(path, "link") else { throw refused(path, "outside the test's folders") }
    try lock.withLock {
      guard files[path] == nil, links[path] == nil, !isFolder(path) else { throw refused(path, "File exists") }
      guard let file = files[source] else { throw refused(source, "No such file or directory") }
      files[path] = file
      // One file under two names, as link(2) makes it.
      identities[path] = identityLocked(source)
    }
  }

  public func copy(_ source: String, to destination: String) throws {
    guard allowed(source, "read"), allowed(destination, "write") else { throw refused(destination, "outside the test's folders") }
    try lock.withLock {
      guard files[destination] == nil, links[destination] == nil else { throw refused(destination, "File exists") }
      if let file = files[source] {
        files[destination] = file
        return
      }
      guard isFolder(source) else { throw refused(source, "No such file or directory") }
      let prefix = source + "/"
      for (key, file) in files where key.hasPrefix(prefix) { files[destination + key.dropFirst(source.count)] = file }
      for (key, target) in links where key.hasPrefix(prefix) { links[destination + key.dropFirst(source.count)] = target }
      for folder in folders where folder.hasPrefix(prefix) { folders.insert(destination + folder.dropFirst(source.count)) }
      folders.insert(destination)
    }
  }

  public func open(_ path: String, _ mode: OpenMode, permissions: Int) throws -> any OpenFile {
    guard allowed(path, mode == .read ? "read" : "write") else { throw refused(path, "outside the test's folders") }
    // Through links, as open(2) is; a file that must be new is never reached through one (O_NOFOLLOW).
    let path = mode == .createNew ? path : lock.withLock { followingLinks(path) }
    try lock.withLock {
      let exists = files[path] != nil
      switch mode {
      case .read: guard exists else { throw refused(path, "No such file or directory") }
      case .update: if !exists { files[path] = (Data(), permissions) }
      case .truncate: files[path] = (Data(), files[path]?.permissions ?? permissions)
      case .createNew:
        guard !exists, links[path] == nil else { throw refused(path, "File exists") }
        files[path] = (Data(), permissions)
        identities[path] = nil
      }
    }
    return MemoryOpenFile(files: self, path: path, writable: mode != .read)
  }

  public func tryLock(_ path: String) throws -> (any FileLock)? {
    guard allowed(path, "lock") else { throw refused(path, "outside the test's folders") }
    return lock.withLock {
      guard locked.insert(path).inserted else { return nil }
      if files[path] == nil { files[path] = (Data(), 0o644) }
      return MemoryFileLock(files: self, path: path)
    }
  }

  public func setModified(_ date: Date, of path: String) throws {
    guard allowed(path, "time change") else { throw refused(path, "outside the test's folders") }
    lock.withLock { modified[path] = date }
  }

  func bytes(_ path: String) -> Data? { lock.withLock { files[path]?.data } }

  func replaceBytes(_ path: String, _ change: (inout Data) -> Void) {
    lock.withLock {
      guard var file = files[path] else { return }
      change(&file.data)
      files[path] = file
    }
  }

  func unlock(_ path: String) { _ = lock.withLock { locked.remove(path) } }
}
