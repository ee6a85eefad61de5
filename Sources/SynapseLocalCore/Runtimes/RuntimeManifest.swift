import Foundation
import SynapseLocalSystem

/// `runtime.json`, written last into an installed runtime's folder: what it is, where it came from,
/// and the program `up` runs from it. A folder without one is an install that did not finish.
public struct RuntimeManifest: Codable, Sendable, Equatable {
  public var id: RuntimeID
  public var version: String
  public var variant: String
  public var platform: Platform
  /// The runtime's folder (for a system PostgreSQL, its bin folder).
  public var path: String
  /// The program or folder `up` uses: llama-server, vllm, the environment's python, PostgreSQL's bin.
  public var executable: String
  /// The archive's digest for engines; the requirement set's hash for Python runtimes.
  public var sha256: String?
  /// The URL, file or wheelhouse it was installed from, or `system`.
  public var source: String
  /// Why this one was chosen (PostgreSQL: the system's, or the wheel).
  public var reason: String?
  /// The release asset's file name, for engines.
  public var asset: String?
  public var installed: String

  public static let fileName = "runtime.json"

  enum CodingKeys: String, CodingKey {
    case id, version, variant, platform, path, executable, sha256, source, reason, asset, installed
  }

  public init(
    id: RuntimeID, version: String, variant: String, platform: Platform, path: String, executable: String, sha256: String?, source: String,
    installed: Date, reason: String? = nil, asset: String? = nil
  ) {
    self.id = id
    self.version = version
    self.variant = variant
    self.platform = platform
    self.path = path
    self.executable = executable
    self.sha256 = sha256
    self.source = source
    self.reason = reason
    self.asset = asset
    self.installed = ISO8601DateFormatter().string(from: installed)
  }

  public static func read(folder: String, files: any FileSystem) -> RuntimeManifest? {
    guard let data = files.contents(folder + "/" + fileName) else { return nil }
    return try? JSONDecoder().decode(RuntimeManifest.self, from: data)
  }

  public func write(into folder: String, files: any FileSystem) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try files.write(try encoder.encode(self), to: folder + "/" + Self.fileName, permissions: 0o644)
  }

  /// The pin a project's lock keeps for this runtime.
  public var pin: ProjectLock.RuntimePin {
    ProjectLock.RuntimePin(
      id: id.rawValue, platform: platform.rawValue, version: version, variant: variant, asset: asset,
      sha256: id == .llamaCpp ? sha256 : nil, requirements: id == .llamaCpp ? nil : sha256)
  }
}
