import Foundation
import SynapseLocalSystem

/// The project locks that pinned a runtime from this home (`<home>/locks.json`), so `uninstall`
/// can refuse to remove a runtime some project still pins. Locks that no longer exist are dropped.
public struct RuntimeLockRegistry: Sendable {
  public var home: RuntimeHome
  public var files: any FileSystem

  public init(home: RuntimeHome, files: any FileSystem) {
    self.home = home
    self.files = files
  }

  var path: String { home.path + "/locks.json" }

  public func locks() -> [String] {
    guard let data = files.contents(path), let list = try? JSONDecoder().decode([String].self, from: data) else { return [] }
    return list.filter { files.exists($0) }
  }

  public func register(_ lock: String) throws {
    var list = locks()
    guard !list.contains(lock) else { return }
    list.append(lock)
    try files.createDirectory(home.path)
    try files.write(try JSONEncoder().encode(list.sorted()), to: path, permissions: 0o644)
  }

  /// The locks pinning this runtime.
  public func pinning(_ manifest: RuntimeManifest) -> [String] {
    locks().filter { lock in
      guard let pins = try? ProjectLock.load(lock, files: files) else { return false }
      return pins.runtimes.contains {
        $0.id == manifest.id.rawValue && $0.platform == manifest.platform.rawValue && $0.version == manifest.version
          && $0.variant == manifest.variant
      }
    }
  }
}
