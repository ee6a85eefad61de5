import Foundation

/// Paths an import created or replaced, and how to put each back. A replaced file is kept by
/// rename, never copied: into `undo/` in staging, which no member reaches (members are staged
/// under `data/`, the engine archive under `engine/`), or, on another file system, beside itself
/// under a hidden name no member maps to. It is put back by rename too, which replaces the new
/// file in one step: a failure leaves the kept copy where it is and says so.
struct BundleUndo {
  let folder: String
  var created: [String] = []
  var replaced: [(path: String, kept: String)] = []
  var relinked: [(path: String, target: String)] = []

  init(staging: String) { folder = staging + "/undo" }

  /// Before writing `path`: remember that it is new, or move the old file aside.
  mutating func keep(_ path: String) throws {
    if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
      relinked.append((path, target))
      return
    }
    guard FileManager.default.fileExists(atPath: path) else {
      created.append(path)
      return
    }
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    var kept = folder + "/\(replaced.count)"
    if rename(path, kept) != 0 {
      let reason = String(cString: strerror(errno))
      guard errno == EXDEV else { throw BundleError.unwritable(path: path, reason: "cannot move it aside: \(reason)") }
      let name = (path as NSString).lastPathComponent
      kept = (path as NSString).deletingLastPathComponent + "/.synapse-local-undo-\(UUID().uuidString.prefix(8))-" + name
      guard rename(path, kept) == 0 else {
        throw BundleError.unwritable(path: path, reason: "cannot move it aside: \(String(cString: strerror(errno)))")
      }
    }
    replaced.append((path, kept))
  }

  /// Puts everything back; returns the kept copies that could not be put back (left in place).
  func restore() -> [String] {
    for path in created.reversed() { try? FileManager.default.removeItem(atPath: path) }
    var stranded: [String] = []
    for (path, kept) in replaced.reversed() where rename(kept, path) != 0 { stranded.append(kept) }
    for (path, target) in relinked {
      // A new link beside it, renamed over: the old one is never missing.
      let temporary = path + ".undo-\(UUID().uuidString.prefix(8))"
      if symlink(target, temporary) != 0 || rename(temporary, path) != 0 { unlink(temporary) }
    }
    return stranded
  }

  /// After a successful import: the copies kept beside their files go (those in staging go with it).
  func discard() {
    for (_, kept) in replaced where !kept.hasPrefix(folder + "/") { unlink(kept) }
  }
}
