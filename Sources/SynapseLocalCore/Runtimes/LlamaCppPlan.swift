/// `install llama.cpp --plan`: the build `install` would take here (or for `--platform`), its
/// archive and companion with their pinned digests, and why; nothing is downloaded.
public struct LlamaCppPlan: Codable, Sendable, Equatable {
  public struct File: Codable, Sendable, Equatable {
    public var name: String
    public var sha256: String?
  }

  public var runtime = "llama.cpp"
  public var platform: Platform
  public var tag: String
  public var variant: String
  public var asset: File
  /// A CUDA build's runtime libraries, unpacked beside llama-server; nil for other builds.
  public var companion: File?
  public var reason: String

  public init(releases: EngineReleases, platform: Platform, choice: LlamaCppVariantChoice) throws(RuntimeError) {
    guard let asset = releases.asset(for: platform, variant: choice.variant) else {
      throw .noAsset(
        tag: releases.llamaCpp.tag, platform: platform.rawValue, variant: choice.variant, available: releases.variants(for: platform))
    }
    self.platform = platform
    tag = releases.llamaCpp.tag
    variant = choice.variant
    self.asset = File(name: asset.name, sha256: asset.sha256)
    companion = asset.companion.map { File(name: $0.name, sha256: $0.sha256) }
    reason = choice.reason
  }
}
