import Foundation

/// Writes that are all or nothing: a temporary file beside the target, flushed, then renamed.
public enum AtomicFile {
  /// `permissions` are set before any byte is written, so a secret is never readable by others.
  public static func write(_ data: Data, to path: String, permissions: Int = 0o644) throws {
    let temporary = path + ".tmp-\(UUID().uuidString)"
    // Created with the final mode (never wider: the umask can only narrow it, fchmod sets it exactly).
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
    guard descriptor >= 0 else {
      throw FileSystemError(action: "write", path: path, reason: "cannot create \(temporary): \(String(cString: strerror(errno)))")
    }
    _ = fchmod(descriptor, mode_t(permissions))
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    do {
      try handle.write(contentsOf: data)
      try handle.synchronize()
      try handle.close()
    } catch {
      unlink(temporary)
      throw FileSystemError(action: "write", path: path, reason: error.localizedDescription)
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw FileSystemError(action: "write", path: path, reason: reason)
    }
  }
}
