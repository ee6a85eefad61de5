import Foundation

/// The file operations every writer of the store shares.
enum StoreFolders {
  /// A relative symlink `../../blobs/<blob>` (one more `../` per sub-folder), replaced atomically.
  static func link(_ path: String, toBlob blob: String, depth: Int) throws {
    try makeFolder((path as NSString).deletingLastPathComponent)
    let target = String(repeating: "../", count: 2 + depth) + "blobs/" + blob
    let temporary = path + ".link-\(UUID().uuidString)"
    guard symlink(target, temporary) == 0 else { throw StoreError.unwritable(path: path, reason: String(cString: strerror(errno))) }
    guard rename(temporary, path) == 0 else {
      unlink(temporary)
      throw StoreError.unwritable(path: path, reason: String(cString: strerror(errno)))
    }
  }

  static func makeFolder(_ path: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw StoreError.unwritable(path: path, reason: error.localizedDescription)
    }
  }

  static func size(_ path: String) -> UInt64? {
    HubCache.sizeFollowingLinks(path)
  }
}
