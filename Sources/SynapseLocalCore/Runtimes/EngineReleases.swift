import Foundation
import SynapseLocalSystem
import Yams

/// `profiles/engines.yaml`: the llama.cpp release `install` takes, by tag, and per platform and
/// variant the asset to download with its SHA-256. That digest is the one that counts: the one the
/// release API publishes (from the same mirror that serves the bytes) must agree with it, and is
/// never used alone. So every asset must carry one, the source archive `--build` compiles too.
public struct EngineReleases: Codable, Sendable, Equatable {
  public struct Asset: Codable, Sendable, Equatable {
    public var name: String
    public var sha256: String?
    /// An archive installed beside this one: a CUDA build's `cudart-…` (the CUDA runtime libraries).
    public var companion: Companion?
    /// The GPU the build runs on: `nvidia`, `amd`, `vulkan` (any Vulkan device) or `metal`; nil: CPU.
    public var gpu: String?
    /// NVIDIA builds: the oldest driver whose CUDA runs it (major version), and the compute
    /// capabilities its kernels cover.
    public var minDriver: Int?
    public var minCompute: String?
    public var maxCompute: String?
    /// The source archive only: the tag it is the source of, when not the release's own (the
    /// newest tag whose source digest could be pinned; `--build` compiles that tag).
    public var tag: String?

    public init(name: String, sha256: String? = nil) {
      self.name = name
      self.sha256 = sha256
    }

    enum CodingKeys: String, CodingKey {
      case name, sha256, companion, gpu, tag
      case minDriver = "min_driver"
      case minCompute = "min_compute"
      case maxCompute = "max_compute"
    }
  }

  /// A companion archive: a name and its pinned digest, like an asset.
  public struct Companion: Codable, Sendable, Equatable {
    public var name: String
    public var sha256: String?
  }

  public struct LlamaCpp: Codable, Sendable, Equatable {
    /// `owner/name` on GitHub (and below a mirror).
    public var repository: String
    public var tag: String
    /// platform → variant → asset.
    public var assets: [String: [String: Asset]]
    /// The source archive `--build` compiles: its file name, digest and (when not `tag`) its tag.
    public var source: Asset?
  }

  public var llamaCpp: LlamaCpp

  enum CodingKeys: String, CodingKey {
    case llamaCpp = "llama.cpp"
  }

  public static let fileName = "engines.yaml"

  public static func load(_ path: String, files: any FileSystem) throws -> EngineReleases {
    guard let data = files.contents(path) else { throw RuntimeError.unreadableProfile(path: path, reason: "it does not exist") }
    do {
      let releases = try YAMLDecoder().decode(EngineReleases.self, from: String(decoding: data, as: UTF8.self))
      for (platform, variants) in releases.llamaCpp.assets {
        guard Platform(rawValue: platform) != nil else {
          throw RuntimeError.unreadableProfile(
            path: path, reason: "unknown platform \(platform) (known: \(Platform.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        for (variant, asset) in variants.sorted(by: { $0.key < $1.key }) {
          guard PathSafety.isName(variant) else {
            throw RuntimeError.unreadableProfile(path: path, reason: "the variant \(PathSafety.quoted(variant)) is not a plain name")
          }
          try check(asset, path: path)
        }
      }
      if let source = releases.llamaCpp.source {
        try check(source, path: path)
        if let tag = source.tag, !PathSafety.isName(tag) {
          throw RuntimeError.unreadableProfile(path: path, reason: "the source's tag must be a plain name, not \(PathSafety.quoted(tag))")
        }
      }
      // Both become folder names in the runtime home.
      guard PathSafety.isName(releases.llamaCpp.tag), (try? RepositoryID(releases.llamaCpp.repository)) != nil else {
        throw RuntimeError.unreadableProfile(path: path, reason: "the repository must be OWNER/NAME and the tag a plain name")
      }
      return releases
    } catch let error as RuntimeError {
      throw error
    } catch {
      throw RuntimeError.unreadableProfile(path: path, reason: "\(error)")
    }
  }

  /// An asset is a plain file name (it becomes `downloads/<name>`) with its pinned SHA-256.
  static func check(_ asset: Asset, path: String) throws {
    if let companion = asset.companion { try check(Asset(name: companion.name, sha256: companion.sha256), path: path) }
    if let gpu = asset.gpu, !["nvidia", "amd", "vulkan", "metal"].contains(gpu) {
      throw RuntimeError.unreadableProfile(path: path, reason: "\(asset.name): gpu must be nvidia, amd, vulkan or metal, not \(gpu)")
    }
    guard PathSafety.isName(asset.name) else {
      throw RuntimeError.unreadableProfile(path: path, reason: "the asset \(PathSafety.quoted(asset.name)) is not a plain file name")
    }
    guard let digest = asset.sha256 else {
      throw RuntimeError.unreadableProfile(
        path: path,
        reason:
          "\(asset.name) has no sha256: pin the digest the release publishes (its API's `digest` field), or the mirror alone would vouch for the bytes"
      )
    }
    guard isDigest(digest) else {
      throw RuntimeError.unreadableProfile(path: path, reason: "the sha256 of \(asset.name) is not 64 hexadecimal digits")
    }
  }

  /// The variants published for a platform, the default first: `cpu` on Linux, else the first by name.
  public func variants(for platform: Platform) -> [String] {
    let names = (llamaCpp.assets[platform.rawValue] ?? [:]).keys.sorted()
    return names.filter { $0 == "cpu" } + names.filter { $0 != "cpu" }
  }

  public func asset(for platform: Platform, variant: String) -> Asset? {
    llamaCpp.assets[platform.rawValue]?[variant]
  }

  /// The asset whose companion has this file name.
  public func owner(ofCompanionNamed name: String) -> Asset? {
    llamaCpp.assets.values.flatMap(\.values).first { $0.companion?.name == name }
  }

  /// The platform and variant whose asset has this file name (an archive given with `--from`).
  public func lookup(assetNamed name: String) -> (platform: Platform, variant: String, asset: Asset)? {
    for (platform, variants) in llamaCpp.assets.sorted(by: { $0.key < $1.key }) {
      for (variant, asset) in variants.sorted(by: { $0.key < $1.key }) where asset.name == name {
        if let known = Platform(rawValue: platform) { return (known, variant, asset) }
      }
    }
    return nil
  }

  static func isDigest(_ value: String) -> Bool {
    PathSafety.isSHA256(value)
  }
}
