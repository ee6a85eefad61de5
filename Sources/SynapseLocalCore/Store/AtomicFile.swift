import Foundation

/// Writes that are all or nothing: a temporary file beside the target, flushed, then renamed.
public enum AtomicFile {
  /// `permissions` are set before any byte is written, so a secret is never readable by others.
  public static func write(_ data: Data, to path: String, permissions: Int = 0o644) throws {
    let temporary = path + ".tmp-\(UUID().uuidString)"
    guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: permissions]),
      let handle = FileHandle(forWritingAtPath: temporary)
    else {
      throw StoreError.unwritable(path: path, reason: "cannot create \(temporary)")
    }
    do {
      try handle.write(contentsOf: data)
      try handle.synchronize()
      try handle.close()
    } catch {
      unlink(temporary)
      throw StoreError.unwritable(path: path, reason: error.localizedDescription)
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw StoreError.unwritable(path: path, reason: reason)
    }
  }
}
