import Foundation
import SynapseLocalSystem

/// The runtimes installed under a home: every `runtimes/<id>/<folder>` with a `runtime.json`.
public struct RuntimeInventory: Sendable {
  public var home: RuntimeHome
  public var files: any FileSystem

  public init(home: RuntimeHome, files: any FileSystem) {
    self.home = home
    self.files = files
  }

  /// An installed runtime as `install --list` shows it.
  public struct Installed: Encodable, Sendable, Equatable {
    public var manifest: RuntimeManifest
    /// The folder under the home (for a relocated one, the link to it).
    public var folder: String
    public var sizeBytes: UInt64

    enum CodingKeys: String, CodingKey {
      case sizeBytes = "size_bytes"
    }

    public init(manifest: RuntimeManifest, folder: String, sizeBytes: UInt64) {
      self.manifest = manifest
      self.folder = folder
      self.sizeBytes = sizeBytes
    }

    /// The manifest's keys and `size_bytes`, flat, as `install --list --json` promises.
    public func encode(to encoder: any Encoder) throws {
      try manifest.encode(to: encoder)
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(sizeBytes, forKey: .sizeBytes)
    }
  }

  /// Every installed runtime, by id then version; `measure` adds up each folder's bytes.
  public func list(measure: Bool = true) -> [Installed] {
    var found: [Installed] = []
    for id in RuntimeID.allCases {
      let base = "\(home.path)/runtimes/\(id.rawValue)"
      for name in (files.list(base) ?? []).sorted() {
        let folder = base + "/" + name
        guard let manifest = RuntimeManifest.read(folder: folder, files: files) else { continue }
        let size = measure && manifest.source != RuntimeManifest.systemSource ? files.treeSize(manifest.path) : 0
        found.append(Installed(manifest: manifest, folder: folder, sizeBytes: size))
      }
    }
    return found
  }

  /// The installed runtime in exactly this folder, if its install finished.
  public func installed(_ id: RuntimeID, version: String, variant: String, platform: Platform) -> RuntimeManifest? {
    RuntimeManifest.read(folder: home.folder(id, version: version, variant: variant, platform: platform), files: files)
  }
}

extension RuntimeManifest {
  /// The source recorded for a runtime the system provides (a system PostgreSQL).
  public static let systemSource = "system"
}
