import Foundation

/// Moving a verified runtime into its folder in one rename, and the temporary folders it is built
/// in: inside the home, on the same file system, removed whatever happens.
struct RuntimePlacement {
  var home: RuntimeHome

  /// A new, empty folder under `staging/`.
  func makeStaging(_ id: RuntimeID) throws -> String {
    try FileManager.default.createDirectory(atPath: home.staging, withIntermediateDirectories: true)
    let template = home.staging + "/\(id.rawValue)-XXXXXX"
    var bytes = Array(template.utf8CString)
    guard let made = mkdtemp(&bytes) else {
      throw ArchiveError.unwritable(path: home.staging, reason: String(cString: strerror(errno)))
    }
    return String(cString: made)
  }

  /// Renames `built` to `folder`; an earlier install there (a `--force`) is moved aside first and
  /// removed only once the new one is in place.
  func place(_ built: String, at folder: String, staging: String) throws {
    try FileManager.default.createDirectory(atPath: (folder as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let aside = staging + "/previous"
    var moved = false
    if FileManager.default.fileExists(atPath: folder) || (try? FileManager.default.destinationOfSymbolicLink(atPath: folder)) != nil {
      guard rename(folder, aside) == 0 else { throw ArchiveError.unwritable(path: folder, reason: String(cString: strerror(errno))) }
      moved = true
    }
    guard rename(built, folder) == 0 else {
      let reason = String(cString: strerror(errno))
      if moved { _ = rename(aside, folder) }
      throw ArchiveError.unwritable(path: folder, reason: reason)
    }
  }

  /// Removes a staging folder and what is in it.
  func discard(_ staging: String) {
    try? FileManager.default.removeItem(atPath: staging)
  }
}
