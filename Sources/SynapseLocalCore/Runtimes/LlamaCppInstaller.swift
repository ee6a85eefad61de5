import Foundation
import SynapseLocalSystem

/// llama.cpp from its official release archive: downloaded from GitHub or a mirror, or given as a
/// file (`--from`); its SHA-256 checked while the bytes arrive (or before anything else, for a
/// file); extracted with every member checked; verified where it was extracted with
/// `llama-server --list-devices`; then renamed into `runtimes/llama.cpp/<tag>-<variant>-<platform>`.
struct LlamaCppInstaller: Sendable {
  var context: Context
  var home: RuntimeHome
  var releases: EngineReleases
  var platform: Platform
  var progress: (@Sendable (String, UInt64, UInt64) -> Void)?

  struct Request: Sendable {
    var variant: String?
    var pinned: ProjectLock.RuntimePin?
    var update = false
    var force = false
    var from: String?
    var sha256: String?
  }

  /// What the release (or the lock, while it is followed) names for this platform.
  struct Choice: Equatable {
    var tag: String
    var variant: String
    var asset: String
    /// The digest known before asking the release: the lock's, else engines.yaml's.
    var pinnedDigest: String?
    var configuredDigest: String?
  }

  func choose(_ request: Request) throws -> Choice {
    if let pin = request.pinned, !request.update, let asset = pin.asset, request.variant == nil || request.variant == pin.variant {
      let configured = releases.lookup(assetNamed: asset)?.asset.sha256
      return Choice(tag: pin.version, variant: pin.variant, asset: asset, pinnedDigest: pin.sha256, configuredDigest: configured)
    }
    let variants = releases.variants(for: platform)
    let variant = request.variant ?? variants.first ?? "cpu"
    guard let asset = releases.asset(for: platform, variant: variant) else {
      throw RuntimeError.noAsset(tag: releases.llamaCpp.tag, platform: platform.rawValue, variant: variant, available: variants)
    }
    return Choice(tag: releases.llamaCpp.tag, variant: variant, asset: asset.name, pinnedDigest: nil, configuredDigest: asset.sha256)
  }

  func install(_ request: Request) async throws -> RuntimeInstallOutcome {
    if let file = request.from { return try await installFile(file, request: request) }
    let choice = try choose(request)
    let folder = home.folder(.llamaCpp, version: choice.tag, variant: choice.variant, platform: platform)
    if !request.force, let existing = RuntimeManifest.read(folder: folder, files: context.files) {
      if let pinned = choice.pinnedDigest, existing.sha256 != pinned {
        throw RuntimeError.pinMismatch(id: "llama.cpp", platform: platform.rawValue, pinned: pinned, found: existing.sha256 ?? "none")
      }
      return RuntimeInstallOutcome(manifest: existing, installedNow: false)
    }
    let fetched = try await fetch(choice)
    return try await installArchive(
      fetched.archive, sha256: fetched.sha256, tag: choice.tag, variant: choice.variant, asset: choice.asset, source: fetched.url,
      companion: fetched.companion)
  }

  /// The release's archive for `choice`, and a CUDA build's companion, in `downloads/`, each
  /// checked against its pin while it arrives (one already there with the pinned bytes is kept).
  func fetch(_ choice: Choice) async throws -> (archive: String, sha256: String, url: String, companion: String?) {
    let client = ReleaseClient.live(environment: context.environment, transport: context.http, time: context.time)
    let assets = try await client.assets(repository: releases.llamaCpp.repository, tag: choice.tag)
    guard let asset = assets.first(where: { $0.name == choice.asset }) else {
      throw RuntimeError.releaseUnavailable(
        url: "\(client.api)/repos/\(releases.llamaCpp.repository)/releases/tags/\(choice.tag)", status: 404,
        message: "the release has no asset \(choice.asset)")
    }
    let expected = try expectedDigest(choice, published: asset.sha256)
    let archive = try await download(asset, client: client, expected: expected)
    // A CUDA build's runtime libraries come in a companion archive, pinned like the build.
    var companionArchive: String?
    if let companion = releases.lookup(assetNamed: choice.asset)?.asset.companion {
      guard let published = assets.first(where: { $0.name == companion.name }), let pinned = companion.sha256 else {
        throw RuntimeError.releaseUnavailable(
          url: "\(client.api)/repos/\(releases.llamaCpp.repository)/releases/tags/\(choice.tag)", status: 404,
          message: "the release has no \(companion.name), which \(choice.asset) needs beside it")
      }
      if let digest = published.sha256, digest != pinned {
        throw RuntimeError.digestMismatch(what: "the release's \(companion.name) (engines.yaml pins it)", expected: pinned, actual: digest)
      }
      companionArchive = try await download(published, client: client, expected: pinned)
    }
    return (archive, expected, asset.url, companionArchive)
  }

  /// The digest to check: only a pin counts, the lock's or else engines.yaml's (the two must agree
  /// where both name the asset). The release API's, which comes from the same host as the bytes,
  /// must agree with the pin and is never used alone: else a mirror would choose both the bytes
  /// and the digest they are checked against.
  func expectedDigest(_ choice: Choice, published: String?) throws -> String {
    if let pinned = choice.pinnedDigest, let configured = choice.configuredDigest, pinned != configured {
      throw RuntimeError.pinMismatch(id: "llama.cpp", platform: platform.rawValue, pinned: pinned, found: configured)
    }
    guard let expected = choice.pinnedDigest ?? choice.configuredDigest else { throw RuntimeError.noDigest(asset: choice.asset) }
    if let published, published != expected {
      if choice.pinnedDigest != nil {
        throw RuntimeError.pinMismatch(id: "llama.cpp", platform: platform.rawValue, pinned: expected, found: published)
      }
      throw RuntimeError.digestMismatch(what: "the release's \(choice.asset) (engines.yaml pins it)", expected: expected, actual: published)
    }
    return expected
  }

  /// The archive in `downloads/`, fetched (resumed after a partial one) and checked while it arrives;
  /// kept there for reinstalls and bundles.
  /// `location`: where the bytes are, when already known (else the asset's URL is followed).
  func download(_ asset: ReleaseClient.Asset, client: ReleaseClient, expected: String, location known: String? = nil) async throws
    -> String
  {
    let folder = home.path + "/downloads"
    try context.files.createDirectory(folder)
    let target = folder + "/" + asset.name
    if context.files.size(target) == asset.size, (try? Digest.sha256(ofFile: target, files: context.files)) == expected { return target }
    let partial = target + ".incomplete"
    let location = if let known { known } else { try await client.location(of: asset.url).url }
    var downloader = ResumableDownload(transport: client.transport, files: context.files, retry: client.retry)
    downloader.progress = progress
    let digest: String
    do {
      digest = try await downloader.download(from: location, size: asset.size, gitSHA1: false, name: asset.name, to: partial).sha256
    } catch let error as RuntimeError {
      throw error
    } catch {
      throw RuntimeError.releaseUnavailable(url: location, status: 0, message: HTTPError.reason(error))
    }
    guard digest == expected else {
      try? context.files.remove(partial)
      throw RuntimeError.digestMismatch(what: asset.name, expected: expected, actual: digest)
    }
    do {
      try context.files.move(partial, to: target)
    } catch {
      throw ArchiveError.unwritable(path: target, reason: ArchiveSource.reason(error))
    }
    return target
  }

  /// `--from FILE`: checked against the digest the lock or engines.yaml pins for an asset of that
  /// name (a `--sha256` that disagrees is refused: no digest given with a file outranks a pin),
  /// else against `--sha256`; with neither, refused. The archive is copied into staging while it
  /// is hashed, and extracted from that copy: the bytes checked are the bytes installed.
  func installFile(_ file: String, request: Request) async throws -> RuntimeInstallOutcome {
    guard context.files.exists(file) else { throw ArchiveError.unreadable(path: file, reason: "it does not exist") }
    let name = (file as NSString).lastPathComponent
    let known = releases.lookup(assetNamed: name)
    let expected = try fileDigest(named: name, request: request)
    if let variant = request.variant, !PathSafety.isName(variant) {
      throw RuntimeError.noAsset(
        tag: releases.llamaCpp.tag, platform: platform.rawValue, variant: variant, available: releases.variants(for: platform))
    }
    let placement = RuntimePlacement(home: home, files: context.files)
    let staging = try placement.makeStaging(.llamaCpp)
    defer { placement.discard(staging) }
    let copy = staging + "/" + name
    let actual = try Digest.sha256(copying: file, to: copy, files: context.files)
    guard actual == expected else { throw RuntimeError.digestMismatch(what: file, expected: expected, actual: actual) }
    // A known asset is the lock's tag when the lock names it, else engines.yaml's; any other file is
    // a build of one's own, named by its digest.
    let pinnedTag = request.pinned.flatMap { $0.asset == name ? $0.version : nil }
    let tag = known == nil ? "custom-" + actual.prefix(12) : pinnedTag ?? releases.llamaCpp.tag
    let variant = known?.variant ?? request.variant ?? "cpu"
    let folder = home.folder(.llamaCpp, version: tag, variant: variant, platform: platform)
    if !request.force, let existing = RuntimeManifest.read(folder: folder, files: context.files), existing.sha256 == actual {
      return RuntimeInstallOutcome(manifest: existing, installedNow: false)
    }
    // A CUDA build given as a file needs its companion beside the file, checked against its pin.
    var companionCopy: String?
    if let companion = known?.asset.companion {
      let beside = (file as NSString).deletingLastPathComponent + "/" + companion.name
      guard context.files.exists(beside), let pinned = companion.sha256 else {
        throw ArchiveError.unreadable(
          path: beside, reason: "\(name) needs its CUDA runtime archive \(companion.name) beside it; put both in one folder")
      }
      let copied = staging + "/" + companion.name
      let digest = try Digest.sha256(copying: beside, to: copied, files: context.files)
      guard digest == pinned else { throw RuntimeError.digestMismatch(what: beside, expected: pinned, actual: digest) }
      companionCopy = copied
    }
    return try await installArchive(
      copy, sha256: actual, tag: tag, variant: variant, asset: name, source: file, companion: companionCopy)
  }

  /// The digest a file given with `--from` must have: the pin the lock or engines.yaml holds for
  /// its name (a lock, a bundle's own say, that pins an asset engines.yaml pins too must pin the
  /// same bytes; a `--sha256` that disagrees is refused), else `--sha256`; else none, refused.
  func fileDigest(named name: String, request: Request) throws -> String {
    let locked = request.pinned.flatMap { $0.asset == name ? $0.sha256 : nil }
    let configured = releases.lookup(assetNamed: name)?.asset.sha256
    if let locked, let configured, locked != configured {
      throw RuntimeError.pinMismatch(id: "llama.cpp", platform: platform.rawValue, pinned: locked, found: configured)
    }
    let pinned = locked ?? configured
    let given = request.sha256?.lowercased()
    if let pinned, let given, given != pinned {
      throw RuntimeError.digestMismatch(what: "--sha256 for \(name) (the lock or engines.yaml pins it)", expected: pinned, actual: given)
    }
    guard let expected = pinned ?? given else { throw RuntimeError.noDigest(asset: name) }
    return expected
  }

  /// Extract into staging, find llama-server, verify it there, then rename into place.
  /// `companion`: an archive unpacked into llama-server's own folder (a CUDA build's `cudart-…`,
  /// whose libraries the build loads from beside itself), with the same member checks.
  func installArchive(
    _ archive: String, sha256: String, tag: String, variant: String, asset: String, source: String, companion: String? = nil
  ) async throws
    -> RuntimeInstallOutcome
  {
    let placement = RuntimePlacement(home: home, files: context.files)
    let staging = try placement.makeStaging(.llamaCpp)
    defer { placement.discard(staging) }
    let tree = staging + "/tree"
    _ = try ArchiveExtractor(files: context.files).extract(archive, into: tree)
    guard let server = Self.findServer(in: tree, files: context.files) else { throw RuntimeError.noServerInArchive(archive: archive) }
    if let companion {
      let beside = (server as NSString).deletingLastPathComponent
      try Self.unpack(companion, files: context.files, beside: tree + (beside.isEmpty ? "" : "/" + beside), staging: staging + "/companion")
    }
    try await verify(tree + "/" + server)
    let folder = home.folder(.llamaCpp, version: tag, variant: variant, platform: platform)
    let manifest = RuntimeManifest(
      id: .llamaCpp, version: tag, variant: variant, platform: platform, path: folder, executable: folder + "/" + server, sha256: sha256,
      source: source, installed: context.time.now, asset: asset)
    try manifest.write(into: tree, files: context.files)
    try placement.place(tree, at: folder, staging: staging)
    return RuntimeInstallOutcome(manifest: manifest, installedNow: true)
  }

  /// The companion's files (checked like any archive's members), moved flat into `folder`, where
  /// the build's loader looks; a name the build already has is refused, never replaced.
  static func unpack(_ archive: String, files: any FileSystem, beside folder: String, staging: String) throws {
    _ = try ArchiveExtractor(files: files).extract(archive, into: staging)
    // In the order a walk of the folder gives, as before: a name met twice is refused the second time.
    for name in files.walk(staging) ?? [] {
      guard let entry = files.entry(staging + "/" + name), entry.kind != .folder else { continue }
      let target = folder + "/" + (name as NSString).lastPathComponent
      guard files.entry(target) == nil else {
        throw ArchiveError.unwritable(path: target, reason: "\((archive as NSString).lastPathComponent) would replace the build's own file")
      }
      do {
        try files.move(staging + "/" + name, to: target)
      } catch {
        throw ArchiveError.unwritable(path: target, reason: ArchiveSource.reason(error))
      }
    }
  }

  /// `llama-server` anywhere in the tree (the shallowest), as a path relative to it.
  static func findServer(in tree: String, files: any FileSystem) -> String? {
    let found = (files.walk(tree) ?? []).filter { name in
      (name as NSString).lastPathComponent == "llama-server" && files.entry(tree + "/" + name)?.isExecutableFile == true
    }
    return found.min { ($0.split(separator: "/").count, $0) < ($1.split(separator: "/").count, $1) }
  }

  /// The binary runs, finds its libraries and loads its backends: `--list-devices` exits 0 with
  /// its device list (GPU devices are listed; the CPU backend, linked or loaded as a plugin, must
  /// load for the program to get that far), and no backend failed to load.
  func verify(_ server: String) async throws {
    let result = try await context.processes.run(server, ["--list-devices"], timeout: .seconds(60))
    let output = (result.stdout + result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
    let failedPlugin = output.split(separator: "\n").first { $0.contains("failed to load") }
    guard result.status == 0, output.contains("Available devices"), failedPlugin == nil else {
      throw RuntimeError.verificationFailed(
        id: "llama.cpp", command: "llama-server --list-devices", output: String((failedPlugin.map(String.init) ?? output).suffix(300)))
    }
  }

  /// The source `--build` compiles: the lock's when it pins a build of one (its tag and digest),
  /// else engines.yaml's `source` (its own tag, which may be older than the release's: GitHub
  /// publishes no digest for a source archive, so only one a packager pinned can be used).
  func sourceToBuild(pinned: ProjectLock.RuntimePin?) throws -> (tag: String, name: String, sha256: String) {
    if let pin = pinned, pin.variant == "cuda", let digest = pin.sha256, let name = pin.asset {
      return (pin.version, name, digest)
    }
    guard let source = releases.llamaCpp.source, let digest = source.sha256 else {
      throw RuntimeError.buildUnavailable(
        reason:
          "engines.yaml pins no digest for llama.cpp's source archive; add `source: {name: llama.cpp-TAG.tar.gz, tag: TAG, sha256: HEX}` under llama.cpp in your engines.yaml (SYNAPSE_LOCAL_PROFILES), with a digest you trust"
      )
    }
    return (source.tag ?? releases.llamaCpp.tag, source.name, digest)
  }

  /// `--build`: the source archive (its digest pinned: GitHub publishes none), compiled for CUDA,
  /// then verified and placed like a release build, as the `cuda` variant.
  func build(pinned: ProjectLock.RuntimePin?, force: Bool, jobs: Int) async throws -> RuntimeInstallOutcome {
    let source = try sourceToBuild(pinned: pinned)
    let tag = source.tag
    let folder = home.folder(.llamaCpp, version: tag, variant: "cuda", platform: platform)
    if !force, let existing = RuntimeManifest.read(folder: folder, files: context.files) {
      return RuntimeInstallOutcome(manifest: existing, installedNow: false)
    }
    let digest = source.sha256
    let client = ReleaseClient.live(environment: context.environment, transport: context.http, time: context.time)
    // The URL the pinned digest was taken from (GitHub's tarball of the tag).
    let url = "\(client.downloads)/\(releases.llamaCpp.repository)/archive/\(tag).tar.gz"
    let (location, length) = try await client.location(of: url)
    guard let size = length else {
      throw RuntimeError.releaseUnavailable(url: location, status: 200, message: "no size given for the source archive")
    }
    let archive = try await download(
      ReleaseClient.Asset(name: source.name, size: size, sha256: digest, url: url), client: client, expected: digest, location: location)
    let placement = RuntimePlacement(home: home, files: context.files)
    let staging = try placement.makeStaging(.llamaCpp)
    defer { placement.discard(staging) }
    _ = try ArchiveExtractor(files: context.files).extract(archive, into: staging + "/source")
    let top = (context.files.list(staging + "/source") ?? []).first.map { staging + "/source/" + $0 } ?? staging + "/source"
    let build = LlamaCppBuild(source: top, folder: staging + "/build", jobs: jobs)
    for command in build.commands {
      context.output.line("building llama.cpp: \(command.joined(separator: " "))")
      let result = try await context.processes.run(
        context.findExecutable("cmake") ?? "cmake", Array(command.dropFirst()), timeout: .seconds(7200))
      guard result.status == 0 else {
        throw RuntimeError.installFailed(
          id: "llama.cpp", command: command.joined(separator: " "), output: String(result.stderr.suffix(400)))
      }
    }
    try context.files.move(staging + "/build/bin", to: staging + "/tree")
    guard let server = Self.findServer(in: staging + "/tree", files: context.files) else {
      throw RuntimeError.noServerInArchive(archive: archive)
    }
    try await verify(staging + "/tree/" + server)
    let manifest = RuntimeManifest(
      id: .llamaCpp, version: tag, variant: "cuda", platform: platform, path: folder, executable: folder + "/" + server, sha256: digest,
      source: url, installed: context.time.now, reason: "built from the source of \(tag) with GGML_CUDA=ON", asset: source.name)
    try manifest.write(into: staging + "/tree", files: context.files)
    try placement.place(staging + "/tree", at: folder, staging: staging)
    let older =
      tag == releases.llamaCpp.tag
      ? [] : ["--build compiled \(tag), the tag whose source digest is pinned; the release builds are \(releases.llamaCpp.tag)"]
    return RuntimeInstallOutcome(manifest: manifest, installedNow: true, notes: older)
  }
}
