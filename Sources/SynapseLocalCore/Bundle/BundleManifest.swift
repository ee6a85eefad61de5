import Foundation
import SynapseLocalSystem

/// `manifest.json`, the bundle's first member after the tool: what the bundle is for (format,
/// platform, Python), the project's lock, and every member with its size and sha256, so that an
/// import refuses an unknown or altered member while it streams.
public struct BundleManifest: Codable, Sendable, Equatable {
  public struct Member: Codable, Sendable, Equatable {
    public var path: String
    public var size: UInt64
    public var sha256: String
    /// A checkout's file with its executable bit (`app/` only); absent: 0644. The manifest says it,
    /// not the tar header, so that a signature covers it too.
    public var executable: Bool?

    public init(path: String, size: UInt64, sha256: String, executable: Bool? = nil) {
      self.path = path
      self.size = size
      self.sha256 = sha256
      self.executable = executable
    }
  }

  /// The newest format this tool reads and writes.
  public static let currentFormat = appFormat
  /// Unsigned: what `bundle export` without `--sign` writes, so that older tools read it.
  public static let unsignedFormat = 1
  /// Signed: `manifest.json.sig` follows the manifest (older tools refuse it as a newer format).
  public static let signedFormat = 2
  /// Carries the Synapse checkout (`app/`) and the npm cache its lockfile needs (`npm-cache/`),
  /// signed or not as `signed` says: older tools refuse it as a newer format rather than as an
  /// unknown member.
  public static let appFormat = 3
  public static let memberName = "manifest.json"
  /// The Debian packages the tool's binary links against.
  public static let debianPackages = ["libcurl4", "libssl3", "libarchive13"]

  public var format: Int
  public var platform: Platform
  /// `3.11`: the wheels are for this CPython.
  public var python: String?
  public var toolVersion: String
  public var created: String
  public var debianPackages: [String]
  /// The project's `synapse-local.lock`, as its text.
  public var lock: String
  /// The llama.cpp archive in the bundle, if any (under `runtimes/`).
  public var engineArchive: String?
  /// Format 3 on: whether `manifest.json.sig` follows (formats 1 and 2 say it by their number).
  public var signed: Bool?
  public var members: [Member]

  enum CodingKeys: String, CodingKey {
    case format, platform, python, created, lock, members, signed
    case toolVersion = "tool_version"
    case debianPackages = "debian_packages"
    case engineArchive = "engine_archive"
  }

  public init(
    platform: Platform, python: String?, toolVersion: String, lock: String, engineArchive: String?, members: [Member],
    created: Date
  ) {
    format = Self.unsignedFormat
    self.platform = platform
    self.python = python
    self.toolVersion = toolVersion
    self.created = ISO8601DateFormatter().string(from: created)
    debianPackages = Self.debianPackages
    self.lock = lock
    self.engineArchive = engineArchive
    self.members = members
  }

  public var totalBytes: UInt64 { members.reduce(0) { $0 + $1.size } }

  /// Whether a signature must follow the manifest.
  public var isSigned: Bool { format == Self.signedFormat || (format >= Self.appFormat && signed == true) }

  /// Whether it carries the checkout or its npm cache.
  public var carriesApp: Bool { members.contains { $0.path.hasPrefix("app/") || $0.path.hasPrefix("npm-cache/") } }
}
