import Foundation

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
    var candidates = [home.path + "/downloads/" + asset]
    for installed in RuntimeInventory(home: home, files: context.files).list(measure: false)
    where installed.manifest.id == .llamaCpp && installed.manifest.sha256 == sha256 {
      candidates.append(installed.manifest.source)
    }
    // The write checks the digest: a candidate that does not match stops the export there.
    for candidate in candidates where context.files.exists(candidate) && (candidate as NSString).lastPathComponent == asset {
      return (candidate, sha256)
    }
    for candidate in candidates where context.files.exists(candidate) {
      if (try? Digest.sha256(ofFile: candidate)) == sha256 { return (candidate, sha256) }
    }
    throw BundleError.cannotExport(
      reason:
        "the llama.cpp archive \(asset) (sha256 \(sha256.prefix(12))…) is neither in \(home.path)/downloads nor where it was installed from: install it again (synapse-local install llama.cpp --force), or pass --no-runtimes"
    )
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
