import Foundation
import SynapseLocalSystem

/// The file operations every writer of the store shares.
enum StoreFolders {
  /// A relative symlink `../../blobs/<blob>` (one more `../` per sub-folder), replaced atomically.
  static func link(_ path: String, toBlob blob: String, depth: Int, files: any FileSystem) throws {
    try makeFolder((path as NSString).deletingLastPathComponent, files: files)
    try StoreError.writing(path) { try files.createLink(path, to: HubCache.linkTarget(toBlob: blob, depth: depth)) }
  }

  static func makeFolder(_ path: String, files: any FileSystem) throws {
    try StoreError.writing(path) { try files.createDirectory(path) }
  }
}
