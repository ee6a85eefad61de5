import Foundation

/// Files, read and written, behind one protocol so that tests can hand a service an in-memory
/// folder (and `/proc` and `/sys` can be fixture folders).
public protocol FileSystem: Sendable {
  /// The file's bytes, or nil when it does not exist or cannot be read.
  func contents(_ path: String) -> Data?
  func exists(_ path: String) -> Bool
  func isDirectory(_ path: String) -> Bool
  func isExecutable(_ path: String) -> Bool
  /// The names in a folder (not sorted); nil when it is not a readable folder.
  func list(_ path: String) -> [String]?
  /// Where a symbolic link points (as written in the link); nil when it is not one.
  func linkTarget(_ path: String) -> String?
  /// The size of the file at `path`, following links (a store file is a link to its blob); nil
  /// when there is none.
  func size(_ path: String) -> UInt64?
  /// Free bytes on the file system holding `path` (or its nearest existing ancestor).
  func freeBytes(at path: String) -> UInt64?
  /// All or nothing: a reader sees the old file or the new one, never part of either. The mode is
  /// set before any byte is written.
  func write(_ data: Data, to path: String, permissions: Int) throws
  /// Changes the mode of an existing file (a kept secret file is narrowed to 0600).
  func setPermissions(_ permissions: Int, of path: String) throws
  /// With its parents; `permissions` for the folders it creates.
  func createDirectory(_ path: String, permissions: Int) throws
  /// A missing file is not an error.
  func remove(_ path: String) throws

  // What the store, the runtimes and bundles need beyond whole files.

  /// What stands at `path` itself, a link not followed; nil when nothing does.
  func entry(_ path: String) -> FileEntry?
  /// Every path under `folder`, relative to it, in no order; links are listed, not followed. Nil
  /// when `folder` is not a readable folder.
  func walk(_ folder: String) -> [String]?
  /// rename(2): atomic within one file system; a file at `destination` is replaced.
  func move(_ source: String, to destination: String) throws
  /// A symbolic link at `path` to `target` (as written), put in place atomically: whatever was at
  /// `path` is replaced, and no reader ever finds nothing there.
  func createLink(_ path: String, to target: String) throws
  /// The file at `source` also appears at `path` (link(2)), which must not exist yet: a
  /// put-in-place that never replaces someone's file.
  func placeWithoutReplacing(_ source: String, at path: String) throws
  /// A file, or a folder with everything under it (links copied as links), at a new path.
  func copy(_ source: String, to destination: String) throws
  func open(_ path: String, _ mode: OpenMode, permissions: Int) throws -> any OpenFile
  /// An exclusive lock on `path` (created when missing), or nil while another holds it.
  func tryLock(_ path: String) throws -> (any FileLock)?
  func setModified(_ date: Date, of path: String) throws

  // What the database's folders need under root, where they belong to an unprivileged user.

  /// What `path` leads to, links followed (`stat`); nil when nothing does.
  func resolvedEntry(_ path: String) -> FileEntry?
  /// `lchown`: the thing at `path` itself, a link not followed.
  func setOwner(_ owner: FileOwner, of path: String) throws
}

extension FileSystem {
  /// The file as UTF-8 text, or nil.
  public func readText(_ path: String) -> String? {
    contents(path).map { String(decoding: $0, as: UTF8.self) }
  }

  public func write(_ text: String, to path: String, permissions: Int = 0o644) throws {
    try write(Data(text.utf8), to: path, permissions: permissions)
  }

  public func createDirectory(_ path: String) throws {
    try createDirectory(path, permissions: 0o755)
  }

  public func open(_ path: String, _ mode: OpenMode) throws -> any OpenFile {
    try open(path, mode, permissions: 0o644)
  }

  /// Waits on `time` while another holds the lock: polling, because a thread blocked in flock
  /// would hold one of Swift's few cooperative threads. Cancellation ends the wait.
  public func lock(_ path: String, time: any TimeSource, poll: Duration = .milliseconds(100)) async throws -> any FileLock {
    while true {
      if let lock = try tryLock(path) { return lock }
      try await time.sleep(for: poll)
    }
  }

  /// Bytes of the files under `folder` (links not followed); 0 when there is no folder.
  public func treeSize(_ folder: String) -> UInt64 {
    (walk(folder) ?? []).reduce(0) { total, name in
      guard let entry = entry(folder + "/" + name), entry.kind == .file else { return total }
      return total + entry.size
    }
  }
}
