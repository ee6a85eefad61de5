import Foundation
import SynapseLocalSystem

/// The engine archives a bundle carries: the llama.cpp build the lock pins, and its companion.
extension BundleExporter {
  /// The llama.cpp archive the lock pins for the platform: from `downloads/`, or the file it was
  /// installed from.
  func engineArchive(lock: ProjectLock, platform: Platform) throws -> (path: String, sha256: String) {
    guard let pin = lock.runtime(.llamaCpp, platform: platform), let sha256 = pin.sha256, let asset = pin.asset else {
      throw BundleError.cannotExport(
        reason:
          "the lock pins no llama.cpp archive for \(platform.rawValue): run `synapse-local install llama.cpp --project DIR` (add --from ARCHIVE for another platform's), or pass --no-runtimes"
      )
    }
    let home = RuntimeHome(environment: context.environment)
    if let found = archiveHere(asset, sha256: sha256) { return (found, sha256) }
    throw BundleError.cannotExport(
      reason:
        "the llama.cpp archive \(asset) (sha256 \(sha256.prefix(12))…) is neither in \(home.path)/downloads nor where it was installed from: install it again (synapse-local install llama.cpp --force), or pass --no-runtimes"
    )
  }

  /// The archive with this name and digest on this machine: in `downloads/`, or the file an
  /// installed runtime came from. The write checks the digest: a candidate that does not match
  /// stops the export there.
  func archiveHere(_ asset: String, sha256: String) -> String? {
    let home = RuntimeHome(environment: context.environment)
    var candidates = [home.path + "/downloads/" + asset]
    for installed in RuntimeInventory(home: home, files: context.files).list(measure: false)
    where installed.manifest.id == .llamaCpp && installed.manifest.sha256 == sha256 {
      candidates.append(installed.manifest.source)
    }
    for candidate in candidates where context.files.exists(candidate) && (candidate as NSString).lastPathComponent == asset {
      return candidate
    }
    for candidate in candidates where context.files.exists(candidate) {
      if (try? Digest.sha256(ofFile: candidate, files: context.files)) == sha256 { return candidate }
    }
    return nil
  }

  /// `--gpu`: the build engines.yaml publishes for the target under that name. An unknown name,
  /// or one the release does not publish for the platform, is refused naming the valid ones.
  func targetBuild(gpu: String, platform: Platform) throws -> (variant: String, asset: EngineReleases.Asset, tag: String) {
    let profiles = try context.resources.locate(.profiles)
    let releases = try EngineReleases.load(profiles + "/" + EngineReleases.fileName, files: context.files)
    let tag = releases.llamaCpp.tag
    let published = releases.variants(for: platform)
    if let asset = releases.asset(for: platform, variant: gpu), asset.sha256 != nil { return (gpu, asset, tag) }
    let known = Set(releases.llamaCpp.assets.values.flatMap(\.keys)).sorted()
    guard known.contains(gpu) else {
      throw BundleError.cannotExport(
        reason:
          "unknown --gpu \(PathSafety.quoted(gpu)): llama.cpp \(tag) builds are \(known.joined(separator: ", ")); for \(platform.rawValue): \(published.joined(separator: ", "))"
      )
    }
    throw BundleError.cannotExport(
      reason:
        "llama.cpp \(tag) publishes no \(gpu) build for \(platform.rawValue): --gpu takes \(published.joined(separator: ", ")) there")
  }

  /// `--gpu`'s archive (its companion, if any, lands in `downloads/` beside it): found on this
  /// machine, else fetched from the release (GitHub or SYNAPSE_LOCAL_ENGINE_MIRROR) and checked
  /// against engines.yaml's pin while it arrives.
  func targetArchive(_ target: (variant: String, asset: EngineReleases.Asset, tag: String), platform: Platform) async throws -> (
    path: String, sha256: String
  ) {
    let asset = target.asset
    guard let sha256 = asset.sha256 else { throw RuntimeError.noDigest(asset: asset.name) }
    if let found = archiveHere(asset.name, sha256: sha256), asset.companion == nil || (try? companionArchive(of: found)) != nil {
      return (found, sha256)
    }
    let profiles = try context.resources.locate(.profiles)
    let releases = try EngineReleases.load(profiles + "/" + EngineReleases.fileName, files: context.files)
    var installer = LlamaCppInstaller(
      context: context, home: RuntimeHome(environment: context.environment), releases: releases, platform: platform)
    let output = context.output
    installer.progress = { name, done, total in output.progress(name, done: done, total: total) }
    let fetched = try await installer.fetch(
      .init(tag: target.tag, variant: target.variant, asset: asset.name, pinnedDigest: nil, configuredDigest: sha256))
    return (fetched.archive, fetched.sha256)
  }

  /// The companion engines.yaml pins for the engine archive (a CUDA build's `cudart-…`): from
  /// `downloads/`, or beside the file the build was installed from; nil when the build has none.
  func companionArchive(of archive: String) throws -> (path: String, sha256: String)? {
    let profiles = try context.resources.locate(.profiles)
    let releases = try EngineReleases.load(profiles + "/" + EngineReleases.fileName, files: context.files)
    guard let companion = releases.lookup(assetNamed: (archive as NSString).lastPathComponent)?.asset.companion,
      let sha256 = companion.sha256
    else { return nil }
    let home = RuntimeHome(environment: context.environment)
    let candidates = [home.path + "/downloads/" + companion.name, (archive as NSString).deletingLastPathComponent + "/" + companion.name]
    // The write checks the digest against the pin.
    guard let found = candidates.first(where: { context.files.exists($0) }) else {
      throw BundleError.cannotExport(
        reason:
          "the CUDA runtime archive \(companion.name), which \((archive as NSString).lastPathComponent) needs, is neither in \(home.path)/downloads nor beside the build: install it again (synapse-local install llama.cpp --force), or pass --no-runtimes"
      )
    }
    return (found, sha256)
  }
}
