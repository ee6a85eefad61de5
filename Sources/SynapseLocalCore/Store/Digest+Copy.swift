import Foundation

extension Digest {
  /// Copies `source` to the new file `target` (0600, never an existing one) and returns the SHA-256
  /// of the bytes copied: reading the source once, so what is checked afterwards is exactly what
  /// was copied, whatever happens to the source meanwhile.
  public static func sha256(copying source: String, to target: String) throws -> String {
    let input = open(source, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { throw StoreError.unreadable(path: source, reason: String(cString: strerror(errno))) }
    defer { close(input) }
    let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard output >= 0 else { throw StoreError.unwritable(path: target, reason: String(cString: strerror(errno))) }
    defer { close(output) }
    let digest = Digest(.sha256)
    try FileBlocks.forEachBlock(input, path: source) { block in
      digest.update(block)
      try FileBlocks.writeAll(output, block, path: target)
    }
    return digest.finish()
  }
}
