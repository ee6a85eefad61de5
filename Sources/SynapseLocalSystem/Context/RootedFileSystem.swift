import Foundation

/// The real file system, with every absolute path resolved under `root` (`/` outside tests).
public struct RootedFileSystem: FileSystem {
  public let root: String

  public init(root: String = "/") {
    self.root = root
  }

  public func resolve(_ path: String) -> String {
    guard root != "/" && !root.isEmpty else { return path }
    return (root as NSString).appendingPathComponent(path)
  }

  public func contents(_ path: String) -> Data? {
    FileManager.default.contents(atPath: resolve(path))
  }

  public func exists(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: resolve(path))
  }

  public func isDirectory(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: resolve(path), isDirectory: &isDirectory) && isDirectory.boolValue
  }

  public func isExecutable(_ path: String) -> Bool {
    let resolved = resolve(path)
    return !isDirectory(path) && FileManager.default.isExecutableFile(atPath: resolved)
  }

  public func list(_ path: String) -> [String]? {
    try? FileManager.default.contentsOfDirectory(atPath: resolve(path))
  }

  public func linkTarget(_ path: String) -> String? {
    try? FileManager.default.destinationOfSymbolicLink(atPath: resolve(path))
  }

  public func size(_ path: String) -> UInt64? {
    var info = stat()
    guard stat(resolve(path), &info) == 0 else { return nil }
    return UInt64(info.st_size)
  }

  public func freeBytes(at path: String) -> UInt64? {
    var candidate = resolve(path)
    while !FileManager.default.fileExists(atPath: candidate) {
      let parent = (candidate as NSString).deletingLastPathComponent
      if parent == candidate || parent.isEmpty { return nil }
      candidate = parent
    }
    guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: candidate),
      let free = attributes[.systemFreeSize] as? NSNumber
    else { return nil }
    return free.uint64Value
  }

  public func write(_ data: Data, to path: String, permissions: Int) throws {
    try FileSystemError.wrapping("write", resolve(path)) { try AtomicFile.write(data, to: resolve(path), permissions: permissions) }
  }

  public func setPermissions(_ permissions: Int, of path: String) throws {
    try FileSystemError.wrapping("change the permissions of", resolve(path)) {
      try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: resolve(path))
    }
  }

  public func createDirectory(_ path: String, permissions: Int) throws {
    try FileSystemError.wrapping("create the folder", resolve(path)) {
      try FileManager.default.createDirectory(
        atPath: resolve(path), withIntermediateDirectories: true, attributes: [.posixPermissions: permissions])
    }
  }

  public func remove(_ path: String) throws {
    let resolved = resolve(path)
    guard FileManager.default.fileExists(atPath: resolved) || linkTarget(path) != nil else { return }
    try FileSystemError.wrapping("remove", resolved) { try FileManager.default.removeItem(atPath: resolved) }
  }
}
