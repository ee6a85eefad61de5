import Foundation
import SynapseLocalSystem

/// Paths an import created or replaced, and how to put each back. A replaced file is kept by
/// rename, never copied: into `undo/` in staging, which no member reaches (members are staged
/// under `data/`, the engine archive under `engine/`), or, on another file system, beside itself
/// under a hidden name no member maps to. It is put back by rename too, which replaces the new
/// file in one step: a failure leaves the kept copy where it is and says so.
struct BundleUndo {
  let folder: String
  let files: any FileSystem
  var created: [String] = []
  var replaced: [(path: String, kept: String)] = []
  var relinked: [(path: String, target: String)] = []

  init(staging: String, files: any FileSystem) {
    folder = staging + "/undo"
    self.files = files
  }

  /// rename(2)'s refusal to move across file systems, as `FileSystemError` says it.
  static let crossDevice = String(cString: strerror(EXDEV))

  /// Before writing `path`: remember that it is new, or move the old file aside.
  mutating func keep(_ path: String) throws {
    if let target = files.linkTarget(path) {
      relinked.append((path, target))
      return
    }
    guard files.exists(path) else {
      created.append(path)
      return
    }
    try files.createDirectory(folder, permissions: 0o700)
    var kept = folder + "/\(replaced.count)"
    do {
      try files.move(path, to: kept)
    } catch {
      let reason = Self.reason(error)
      guard reason == Self.crossDevice else { throw BundleError.unwritable(path: path, reason: "cannot move it aside: \(reason)") }
      let name = (path as NSString).lastPathComponent
      kept = (path as NSString).deletingLastPathComponent + "/.synapse-local-undo-\(UUID().uuidString.prefix(8))-" + name
      do {
        try files.move(path, to: kept)
      } catch {
        throw BundleError.unwritable(path: path, reason: "cannot move it aside: \(Self.reason(error))")
      }
    }
    replaced.append((path, kept))
  }

  /// Puts everything back; returns the kept copies that could not be put back (left in place).
  func restore() -> [String] {
    for path in created.reversed() { try? files.remove(path) }
    var stranded: [String] = []
    for (path, kept) in replaced.reversed() where (try? files.move(kept, to: path)) == nil { stranded.append(kept) }
    // A new link put over the old one: it is never missing.
    for (path, target) in relinked { try? files.createLink(path, to: target) }
    return stranded
  }

  /// After a successful import: the copies kept beside their files go (those in staging go with it).
  func discard() {
    for (_, kept) in replaced where !kept.hasPrefix(folder + "/") { try? files.remove(kept) }
  }

  static func reason(_ error: any Error) -> String {
    (error as? FileSystemError)?.reason ?? "\(error)"
  }
}
