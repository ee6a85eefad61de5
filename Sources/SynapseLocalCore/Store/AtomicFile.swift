import Foundation

/// Writes that are all or nothing: a temporary file beside the target, flushed, then renamed.
public enum AtomicFile {
  public static func write(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp-\(UUID().uuidString)"
    guard FileManager.default.createFile(atPath: temporary, contents: data) else {
      throw StoreError.unwritable(path: path, reason: "cannot create \(temporary)")
    }
    let fd = open(temporary, O_WRONLY)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw StoreError.unwritable(path: path, reason: reason)
    }
  }
}
