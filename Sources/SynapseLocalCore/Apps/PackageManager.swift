import Foundation
import SynapseLocalSystem

/// The Node package manager a checkout is installed with, known from its lockfile.
public enum PackageManager: String, Sendable, CaseIterable, Codable {
  case pnpm, npm, yarn

  /// The lockfile each writes.
  public var lockfile: String {
    switch self {
    case .pnpm: "pnpm-lock.yaml"
    case .npm: "package-lock.json"
    case .yarn: "yarn.lock"
    }
  }

  /// Lockfiles in the order they are looked for (npm's shrinkwrap counts as npm's).
  public static let lockfiles: [(String, PackageManager)] = [
    ("pnpm-lock.yaml", .pnpm), ("package-lock.json", .npm), ("npm-shrinkwrap.json", .npm), ("yarn.lock", .yarn),
  ]

  /// The install that changes nothing the lockfile pins. Yarn 1 (a "# yarn lockfile v1" header)
  /// spells it --frozen-lockfile; Yarn 2+ --immutable.
  public func frozenInstall(lockfileText: String? = nil) -> String {
    switch self {
    case .pnpm: "pnpm install --frozen-lockfile"
    case .npm: "npm ci"
    case .yarn: (lockfileText?.contains("# yarn lockfile v1") ?? false) ? "yarn install --frozen-lockfile" : "yarn install --immutable"
    }
  }

  /// Runs a package.json script.
  public func run(_ script: String) -> String { "\(rawValue) run \(script)" }

  /// Arguments for the script itself: npm needs `--` before them, pnpm and yarn pass them on.
  public func passing(_ arguments: [String]) -> String {
    ((self == .npm ? ["--"] : []) + arguments).joined(separator: " ")
  }

  /// From a package.json `packageManager` field such as "pnpm@9.1.0" (corepack's).
  public init?(packageManagerField: String) {
    guard let name = packageManagerField.split(separator: "@").first, let manager = PackageManager(rawValue: String(name)) else {
      return nil
    }
    self = manager
  }
}
