import Foundation

/// Moves, links, copies, locks and open files on the real file system.
extension RootedFileSystem {
  public func entry(_ path: String) -> FileEntry? {
    var info = stat()
    guard lstat(resolve(path), &info) == 0 else { return nil }
    return Self.entry(info)
  }

  public func walk(_ folder: String) -> [String]? {
    guard entry(folder)?.kind == .folder || isDirectory(folder) else { return nil }
    // FileManager's enumerator lists links without descending into them.
    guard let walker = FileManager.default.enumerator(atPath: resolve(folder)) else { return nil }
    return walker.compactMap { $0 as? String }
  }

  public func move(_ source: String, to destination: String) throws {
    guard rename(resolve(source), resolve(destination)) == 0 else { throw FileSystemError.errno("move \(source) to", destination) }
  }

  public func createLink(_ path: String, to target: String) throws {
    let temporary = resolve(path) + ".link-\(UUID().uuidString)"
    guard symlink(target, temporary) == 0 else { throw FileSystemError.errno("create the link", path) }
    guard rename(temporary, resolve(path)) == 0 else {
      let error = FileSystemError.errno("create the link", path)
      unlink(temporary)
      throw error
    }
  }

  public func placeWithoutReplacing(_ source: String, at path: String) throws {
    guard link(resolve(source), resolve(path)) == 0 else { throw FileSystemError.errno("place \(source) at", path) }
  }

  public func copy(_ source: String, to destination: String) throws {
    try FileSystemError.wrapping("copy \(source) to", resolve(destination)) {
      try FileManager.default.copyItem(atPath: resolve(source), toPath: resolve(destination))
    }
  }

  public func open(_ path: String, _ mode: OpenMode, permissions: Int) throws -> any OpenFile {
    try DiskFile(path: resolve(path), mode: mode, permissions: permissions)
  }

  public func tryLock(_ path: String) throws -> (any FileLock)? {
    try DiskFileLock.take(resolve(path))
  }

  public func setModified(_ date: Date, of path: String) throws {
    try FileSystemError.wrapping("set the time of", resolve(path)) {
      try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: resolve(path))
    }
  }
}
