import Foundation
import SynapseLocalSystem

/// Moving a verified runtime into its folder in one rename, and the temporary folders it is built
/// in: inside the home, on the same file system, removed whatever happens.
struct RuntimePlacement {
  var home: RuntimeHome
  var files: any FileSystem

  /// A new, empty folder under `staging/`.
  func makeStaging(_ id: RuntimeID) throws -> String {
    do {
      return try files.createUniqueFolder(in: home.staging, prefix: id.rawValue + "-")
    } catch {
      throw ArchiveError.unwritable(path: home.staging, reason: ArchiveSource.reason(error))
    }
  }

  /// Renames `built` to `folder`; an earlier install there (a `--force`) is moved aside first and
  /// removed only once the new one is in place.
  func place(_ built: String, at folder: String, staging: String) throws {
    try files.createDirectory((folder as NSString).deletingLastPathComponent)
    let aside = staging + "/previous"
    var moved = false
    if files.entry(folder) != nil {
      do {
        try files.move(folder, to: aside)
      } catch {
        throw ArchiveError.unwritable(path: folder, reason: ArchiveSource.reason(error))
      }
      moved = true
    }
    do {
      try files.move(built, to: folder)
    } catch {
      if moved { try? files.move(aside, to: folder) }
      throw ArchiveError.unwritable(path: folder, reason: ArchiveSource.reason(error))
    }
  }

  /// Removes a staging folder and what is in it.
  func discard(_ staging: String) {
    try? files.remove(staging)
  }
}
