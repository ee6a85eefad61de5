import Foundation

/// The project locks that pinned a runtime from this home (`<home>/locks.json`), so `uninstall`
/// can refuse to remove a runtime some project still pins. Locks that no longer exist are dropped.
public struct RuntimeLockRegistry: Sendable {
  public var home: RuntimeHome

  public init(home: RuntimeHome) {
    self.home = home
  }

  var path: String { home.path + "/locks.json" }

  public func locks() -> [String] {
    guard let data = FileManager.default.contents(atPath: path), let list = try? JSONDecoder().decode([String].self, from: data) else {
      return []
    }
    return list.filter { FileManager.default.fileExists(atPath: $0) }
  }

  public func register(_ lock: String) throws {
    var list = locks()
    guard !list.contains(lock) else { return }
    list.append(lock)
    try FileManager.default.createDirectory(atPath: home.path, withIntermediateDirectories: true)
    try AtomicFile.write(try JSONEncoder().encode(list.sorted()), to: path)
  }

  /// The locks pinning this runtime.
  public func pinning(_ manifest: RuntimeManifest) -> [String] {
    locks().filter { lock in
      guard let pins = try? ProjectLock.load(lock, files: RootedFileSystem()) else { return false }
      return pins.runtimes.contains {
        $0.id == manifest.id.rawValue && $0.platform == manifest.platform.rawValue && $0.version == manifest.version
          && $0.variant == manifest.variant
      }
    }
  }
}
