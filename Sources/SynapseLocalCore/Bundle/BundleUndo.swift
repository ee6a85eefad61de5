import Foundation

/// Paths an import created or replaced, and how to put each back.
struct BundleUndo {
  let staging: String
  var created: [String] = []
  var replaced: [(path: String, kept: String)] = []
  var relinked: [(path: String, target: String)] = []

  /// Before writing `path`: remember that it is new, or move the old file aside.
  mutating func keep(_ path: String) throws {
    if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
      relinked.append((path, target))
    } else if FileManager.default.fileExists(atPath: path) {
      let kept = staging + "/undo-\(replaced.count)"
      try FileManager.default.copyItem(atPath: path, toPath: kept)
      replaced.append((path, kept))
    } else {
      created.append(path)
    }
  }

  func restore() {
    for path in created.reversed() { try? FileManager.default.removeItem(atPath: path) }
    for (path, kept) in replaced {
      try? FileManager.default.removeItem(atPath: path)
      try? FileManager.default.copyItem(atPath: kept, toPath: path)
    }
    for (path, target) in relinked {
      try? FileManager.default.removeItem(atPath: path)
      try? FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }
  }
}
