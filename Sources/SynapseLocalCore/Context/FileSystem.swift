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
  /// A file's bytes for the GGUF reader, which reads only the header's parts.
  func byteSource(_ path: String) throws(GGUFError) -> any GGUFByteSource
}

extension FileSystem {
  /// The whole file in memory: for in-memory file systems, whose files are small.
  public func byteSource(_ path: String) throws(GGUFError) -> any GGUFByteSource {
    guard let data = contents(path) else { throw .unreadable(path: path, reason: "no such file") }
    return MemoryByteSource(Array(data))
  }

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
}
