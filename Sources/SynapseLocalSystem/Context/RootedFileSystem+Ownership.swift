import Foundation

/// Owners, and what a path leads to through its links, on the real file system.
extension RootedFileSystem {
  public func resolvedEntry(_ path: String) -> FileEntry? {
    var info = stat()
    guard stat(resolve(path), &info) == 0 else { return nil }
    return Self.entry(info)
  }

  public func setOwner(_ owner: FileOwner, of path: String) throws {
    guard lchown(resolve(path), owner.user, owner.group) == 0 else { throw FileSystemError.errno("change the owner of", path) }
  }

  /// What `stat` or `lstat` said, as a `FileEntry`.
  static func entry(_ info: stat) -> FileEntry {
    let kind: FileEntry.Kind =
      switch info.st_mode & S_IFMT {
      case S_IFREG: .file
      case S_IFDIR: .folder
      case S_IFLNK: .link
      default: .other
      }
    let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    return FileEntry(
      kind: kind, size: UInt64(info.st_size), permissions: Int(info.st_mode & 0o7777), modified: modified,
      owner: FileOwner(user: info.st_uid, group: info.st_gid))
  }
}
