import Foundation
import SynapseLocalSystem

/// A Synapse app found in a checkout: where it is, how it is installed and run, and why it was
/// taken for its role.
public struct FoundApp: Sendable, Equatable {
  public var role: ServiceName
  /// Relative to the checkout ("." for the checkout itself).
  public var dir: String
  public var manifest: PackageManifest
  public var packageManager: PackageManager
  /// The lockfile, relative to the checkout; nil when there is none.
  public var lockfile: String?
  public var install: String
  public var nodeRequirement: String?
  /// Where the Node requirement was read.
  public var nodeSource: String?
  public var server: WebServer?
  /// Why this package is the backend or the frontend.
  public var reason: String
  public var migrateScript: String?
  /// The health route found in the backend's sources.
  public var healthPath: String?
  /// The frontend's backend-URL variable, or the backend's CORS variable.
  public var variable: String?
  /// The local-mode keys the backend never reads (the guide's Step 3 is missing).
  public var missingLocalModeKeys: [String] = []

  /// The script `up` runs in `mode`: dev → `dev` (else `start`), production → `start`.
  public func startScript(_ mode: AppMode) -> String? {
    switch mode {
    case .dev: manifest.scripts["dev"] != nil ? "dev" : manifest.scripts["start"] != nil ? "start" : nil
    case .production: manifest.scripts["start"] != nil ? "start" : nil
    }
  }

  /// What `init` prints.
  public func summary(mode: AppMode) -> String {
    var parts = ["\(dir) (\(reason))", packageManager.rawValue + (lockfile == nil ? ", no lockfile" : "")]
    if let script = startScript(mode) { parts.append("\(mode.rawValue): \(packageManager.run(script))") }
    if let migrateScript { parts.append("migrate: \(packageManager.run(migrateScript))") }
    if let nodeRequirement { parts.append("node \(nodeRequirement)") }
    return parts.joined(separator: ", ")
  }
}
