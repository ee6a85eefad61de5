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

  public func readText(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: resolve(path)) else { return nil }
    return String(decoding: data, as: UTF8.self)
  }

  public func exists(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: resolve(path))
  }

  public func isExecutable(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    let resolved = resolve(path)
    return FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory)
      && !isDirectory.boolValue && FileManager.default.isExecutableFile(atPath: resolved)
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
}
