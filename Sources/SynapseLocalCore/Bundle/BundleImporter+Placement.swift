import Foundation
import SynapseLocalSystem

/// What the importer does once a bundle is verified: model files into the store, the runtimes
/// from the bundle, and what it asks of the host (Python, Debian packages, stale staging).
extension BundleImporter {
  /// What an import killed outright (SIGKILL, a power cut) left in staging: removed once it is a
  /// day old, so that an import running now in another shell keeps its own. Files kept aside in
  /// `undo/` may be the only copies of what the import replaced (or could not put back): that
  /// folder stays, for the user to move back; the rest goes.
  static func removeStaleStaging(_ folder: String, now: Date, files: any FileSystem) {
    let day = now.addingTimeInterval(-86_400)
    for name in files.list(folder) ?? [] where name.hasPrefix("bundle-") {
      let path = folder + "/" + name
      guard let modified = files.entry(path)?.modified, modified < day else { continue }
      let kept = files.list(path + "/undo") ?? []
      if kept.isEmpty {
        try? files.remove(path)
      } else {
        for child in files.list(path) ?? [] where child != "undo" {
          try? files.remove(path + "/" + child)
        }
      }
    }
  }

  /// Blobs renamed into the store, snapshot links made, refs made where there were none (an
  /// existing ref is never moved: the lock names its commit anyway). `undo` hears each change.
  func placeModels(_ read: Read, store: String, undo: inout BundleUndo) throws {
    for member in read.manifest.members where member.path.hasPrefix("models/") && !read.present.contains(member.path) {
      guard let staged = read.staged[member.path] else { continue }
      let blob = store + "/" + member.path.dropFirst("models/".count)
      let folder = (blob as NSString).deletingLastPathComponent
      try StoreFolders.makeFolder(folder, files: context.files)
      try undo.keep(blob)
      try? context.files.setPermissions(0o644, of: staged)
      try Self.place(staged, at: blob, files: context.files)
    }
    for entry in read.lock.files {
      let id = try RepositoryID(entry.repository)
      let cache = HubCache(root: store, files: context.files)
      let link = cache.snapshot(id, commit: entry.commit, path: entry.path)
      let wanted = HubCache.linkTarget(toBlob: entry.etag, path: entry.path)
      if context.files.linkTarget(link) != wanted {
        try undo.keep(link)
        try StoreFolders.link(link, toBlob: entry.etag, depth: entry.path.split(separator: "/").count - 1, files: context.files)
      }
      let ref = cache.ref(id, name: entry.revision)
      if entry.revision != entry.commit && !context.files.exists(ref) {
        try StoreFolders.makeFolder((ref as NSString).deletingLastPathComponent, files: context.files)
        try undo.keep(ref)
        try context.files.write(Data(entry.commit.utf8), to: ref, permissions: 0o644)
      }
    }
  }

  /// llama.cpp from the bundle's archive, the Python runtimes from its wheelhouse: no index, no network.
  func installRuntimes(_ read: Read, project: String, staging: String) async throws -> [String] {
    var offline = context
    offline.environment["HF_HUB_OFFLINE"] = "1"
    offline.environment["PIP_NO_INDEX"] = "1"
    let installer = RuntimeInstaller(context: offline)
    var done: [String] = []
    if let engine = read.manifest.engineArchive, let archive = read.staged[engine],
      let sha256 = read.manifest.members.first(where: { $0.path == engine })?.sha256
    {
      // Its own name: an engines.yaml asset is known by it. In a folder of its own, which nothing
      // else in staging uses (an archive named `undo-0` must not reach a kept file).
      let name = (engine as NSString).lastPathComponent
      let folder = staging + "/engine"
      try context.files.createDirectory(folder, permissions: 0o700)
      let named = folder + "/" + name
      try Self.move(archive, to: named, files: context.files)
      // A CUDA build's companion goes beside it, where `install --from` looks (and checks its pin).
      let profiles = try context.resources.locate(.profiles)
      if let companion = try EngineReleases.load(profiles + "/" + EngineReleases.fileName, files: context.files)
        .lookup(assetNamed: name)?.asset.companion, let staged = read.staged["runtimes/llama.cpp/" + companion.name]
      {
        try Self.move(staged, to: folder + "/" + companion.name, files: context.files)
      }
      var options = RuntimeInstaller.Options()
      options.project = project
      options.from = named
      options.sha256 = try digestToTrust(sha256, archive: name, lock: read.lock, platform: read.manifest.platform)
      for outcome in try await installer.install([.llamaCpp], options: options) { done.append(outcome.manifest.id.rawValue) }
    }
    if read.manifest.python != nil {
      var options = RuntimeInstaller.Options()
      options.project = project
      options.wheelhouse = staging + "/data/wheelhouse"
      // The project's own Python runtimes: none for embeddings that llama.cpp serves.
      let configuration = try ProjectFile.load(project: project, environment: context.environment, files: context.files)
      let python = [RuntimeID.embedding, .postgresql].filter(RuntimeResolver.needed(configuration).contains)
      for outcome in try await installer.install(python, options: options) { done.append(outcome.manifest.id.rawValue) }
    }
    return done
  }

  /// The manifest's digest never outranks a pin: for an archive engines.yaml or the lock knows by
  /// name, none is given and the installer checks the archive against the pin. Only a build of
  /// one's own, which no pin knows, is installed on the manifest's word, which stands because the
  /// bundle as a whole was authenticated.
  func digestToTrust(_ manifestDigest: String, archive name: String, lock: ProjectLock, platform: Platform) throws -> String? {
    let profiles = try context.resources.locate(.profiles)
    let releases = try EngineReleases.load(profiles + "/" + EngineReleases.fileName, files: context.files)
    let pinnedByLock = lock.runtime(.llamaCpp, platform: platform)?.asset == name
    return pinnedByLock || releases.lookup(assetNamed: name) != nil ? nil : manifestDigest
  }

  /// The Debian packages the manifest names that dpkg says are not installed; nil where there is no
  /// dpkg. Names that are not package names are reported as missing, never passed on.
  func missingPackages(_ packages: [String]) async -> [String]? {
    guard let query = context.findExecutable("dpkg-query") else { return nil }
    var missing: [String] = []
    for package in packages {
      let valid =
        package.count < 100 && package.first.map { $0.isLowercase || $0.isNumber } == true
        && package.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "+.-".contains($0)) }
      guard valid else {
        missing.append("(a name that is not a package)")
        continue
      }
      let answer = try? await context.processes.run(query, ["-W", "-f=${Status}", package], timeout: .seconds(30))
      if answer.map({ $0.status != 0 || !$0.stdout.contains("install ok installed") }) ?? true { missing.append(package) }
    }
    return missing
  }

  /// This machine's python3 as `3.11`, nil without one.
  func hostPython() async throws -> String? {
    guard let python = context.findExecutable("python3") else { return nil }
    let answer = try? await context.processes.run(
      python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], timeout: .seconds(30))
    return answer.flatMap { $0.status == 0 ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil }
  }
}
