import Foundation
import SynapseLocalSystem

/// `uninstall ID[@VERSION]`: removes installed runtimes that no project's lock pins (`force`
/// removes them anyway). Without a version, every installed version of the runtime.
public struct RuntimeRemover: Sendable {
  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  public struct Removed: Codable, Sendable, Equatable {
    public var id: String
    public var version: String
    public var variant: String
    public var path: String
    public var sizeBytes: UInt64

    enum CodingKeys: String, CodingKey {
      case id, version, variant, path
      case sizeBytes = "size_bytes"
    }
  }

  public func remove(_ target: String, force: Bool) throws -> [Removed] {
    let parts = target.split(separator: "@", maxSplits: 1).map(String.init)
    guard let id = RuntimeID(rawValue: parts[0]) else { throw RuntimeError.unknownRuntime(parts[0]) }
    let version = parts.count > 1 ? parts[1] : nil
    let home = RuntimeHome(environment: context.environment)
    let matching = RuntimeInventory(home: home, files: context.files).list().filter {
      $0.manifest.id == id && (version == nil || $0.manifest.version == version)
    }
    guard !matching.isEmpty else { throw RuntimeError.notInstalled(target) }
    let registry = RuntimeLockRegistry(home: home, files: context.files)
    if !force {
      for installed in matching {
        if let lock = registry.pinning(installed.manifest).first {
          throw RuntimeError.pinnedByProject(id: id.rawValue, version: installed.manifest.version, lock: lock)
        }
      }
    }
    var removed: [Removed] = []
    for installed in matching {
      // A relocated runtime: the folder it links to goes too (a system one is not ours to remove).
      if installed.manifest.source != RuntimeManifest.systemSource, installed.manifest.path != installed.folder {
        try context.files.remove(installed.manifest.path)
      }
      try context.files.remove(installed.folder)
      removed.append(
        Removed(
          id: id.rawValue, version: installed.manifest.version, variant: installed.manifest.variant, path: installed.folder,
          sizeBytes: installed.sizeBytes))
    }
    return removed
  }
}
