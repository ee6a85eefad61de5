import Foundation
import SynapseLocalSystem

extension Digest {
  /// Copies `source` to the new file `target` (0600, never an existing one) and returns the SHA-256
  /// of the bytes copied: reading the source once, so what is checked afterwards is exactly what
  /// was copied, whatever happens to the source meanwhile.
  public static func sha256(copying source: String, to target: String, files: any FileSystem) throws -> String {
    let input = try StoreError.reading(source) { try files.open(source, .read) }
    defer { input.close() }
    let output = try StoreError.writing(target) { try files.open(target, .createNew, permissions: 0o600) }
    defer { output.close() }
    let digest = Digest(.sha256)
    try FileBlocks.forEachBlock(input) { block in
      digest.update(block)
      try FileBlocks.writeAll(output, block)
    }
    return digest.finish()
  }
}
