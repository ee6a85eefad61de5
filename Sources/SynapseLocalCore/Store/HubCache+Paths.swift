import Foundation
import SynapseLocalSystem

extension HubCache {
  /// The file's path inside its repository, for a path into a snapshot of `commit`
  /// (`…/models--org--name/snapshots/COMMIT/sub/file.gguf` → `sub/file.gguf`); nil when `path`
  /// is the snapshot folder itself or lies elsewhere.
  public static func pathInSnapshot(_ path: String, commit: String) -> String? {
    path.range(of: "/\(snapshotsFolder)/\(commit)/").map { String(path[$0.upperBound...]) }.flatMap { $0.isEmpty ? nil : $0 }
  }
}
