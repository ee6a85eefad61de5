import Foundation
import SynapseLocalSystem

/// Whether the backend's code reads the guide's local-mode keys (its Step 3: configuration.ts,
/// aiService.ts, embeddingService.ts). Without them the backend ignores the local servers and
/// calls the cloud, whatever `.env` says. `init`, `up` and `doctor` ask it.
public struct LocalModeCheck: Sendable {
  /// The keys the guide's TypeScript changes read.
  public static let keys = ["USE_LOCAL_MODELS", "LOCAL_LLM_ENDPOINT"]
  /// The files the guide's step changes, relative to the backend's folder.
  public static let guideFiles = ["src/config/configuration.ts", "src/services/aiService.ts", "src/services/embeddingService.ts"]

  /// The keys the backend's sources never mention.
  public static func missingKeys(in scan: SourceScan) -> [String] {
    keys.filter { scan.mentioning($0).isEmpty }
  }

  /// A warning for a backend in `folder` (shown as `shown`), or nil when it reads both keys.
  public static func warning(backend folder: String, shown: String, files: any FileSystem) -> String? {
    let missing = missingKeys(in: SourceScan(folder, files: files))
    return missing.isEmpty ? nil : message(missing: missing, shown: shown)
  }

  /// The warning for a backend in `shown` that never reads `missing`.
  public static func message(missing: [String], shown: String) -> String {
    "the backend in \(shown) never reads \(missing.joined(separator: " or ")): it would call the cloud, not the local models. Apply the guide's Step 3 (Configure Synapse Backend) to \(guideFiles.joined(separator: ", ")); see docs/synapse-app.md"
  }
}
