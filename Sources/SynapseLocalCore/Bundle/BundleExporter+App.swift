import Foundation
import SynapseLocalSystem

/// What a bundle carries of the Synapse app: the checkout's files (`app/`), and, for an npm
/// lockfile, exactly the tarballs its install needs from npm's cache (`npm-cache/`), so that `up`
/// on the target installs with `npm ci --offline` (docs/DECISIONS.md says why the cache and not
/// node_modules).
extension BundleExporter {
  /// The app's part of a bundle.
  struct AppPart {
    var selection: CheckoutFiles
    var files: [Planned]
    var packages: [Planned]
    /// The project file as carried: `paths.synapse` inside the project.
    var projectFile: Data
    var notes: [String]
    /// `paths.synapse` in the carried project file.
    var folder: String
  }

  /// The app's part, or nil when no app is enabled.
  func appPart(
    configuration: ProjectConfiguration, project: String, projectFile: Data, platform: Platform
  ) async throws -> AppPart? {
    let workspaces = AppPreparation(context: context, configuration: configuration, project: project).workspaces
    guard let checkout = workspaces.first?.checkout else { return nil }
    for workspace in workspaces where !CheckoutPath.isInside(workspace.folder, checkout) {
      let key = workspace.service.rawValue
      throw BundleError.cannotExport(
        reason:
          "\(key).dir (\(workspace.folder)) is outside the checkout \(checkout) (paths.synapse): set it relative to paths.synapse, or pass --no-app"
      )
    }
    for workspace in workspaces where !context.files.exists(workspace.folder + "/package.json") {
      let key = workspace.service.rawValue
      throw BundleError.cannotExport(
        reason:
          "the \(key) has no package.json here (\(workspace.folder)): `up` would stop there on the target too; set \(key).dir to the app's folder, or \(key).enabled: false, or pass --no-app"
      )
    }
    let state = configuration.stateFolder(project: project, environment: context.environment)
    let excluded =
      [ProjectFile.path(in: project), project + "/" + ProjectLock.fileName, state]
      + [StackGenerator.envFile, StackGenerator.composeFile, StackGenerator.embeddingFolder].map { project + "/" + $0 }
    let selection = try await CheckoutFileSelector(context: context).select(
      checkout: checkout, folders: workspaces.map(\.installFolder), excluded: excluded)
    let carried = Set(selection.files.map { checkout + "/" + $0.relative })
    for workspace in workspaces {
      for needed in [workspace.folder + "/package.json"] + (workspace.lockfile.map { [$0] } ?? []) where !carried.contains(needed) {
        throw BundleError.cannotExport(
          reason:
            "\(needed) would not be carried (\(selection.source == .git ? "git does not track it: git add it" : "it is not in the app's folders")), and `up` needs it on the target; or pass --no-app"
        )
      }
    }
    var notes = [selection.localChangesNote, selection.withheldNote].compactMap { $0 }
    var files: [Planned] = []
    for file in selection.files {
      files.append(try planned("app/" + file.relative, file.source, mode: file.executable ? 0o755 : 0o644))
    }
    var packages: [Planned] = []
    var lockfiles: Set<String> = []
    for workspace in workspaces where !workspace.app.install.isEmpty {
      guard let lockfile = workspace.lockfile, lockfiles.insert(lockfile).inserted else { continue }
      guard workspace.app.packageManager == .npm, NpmLockfile.fileNames.contains((lockfile as NSString).lastPathComponent) else {
        notes.append(
          "the \(workspace.service.rawValue) installs with \(workspace.app.packageManager.rawValue): its packages are not carried (a bundle carries npm's cache only); on the target, `\(workspace.app.install)` needs them already there (pnpm's store, Yarn's offline cache)"
        )
        continue
      }
      for item in try await npmPackages(lockfile, platform: platform) where !packages.contains(where: { $0.name == item.name }) {
        packages.append(item)
      }
    }
    let folder = BundledProjectFile.synapseFolder(current: configuration.paths.synapse, checkout: checkout, project: project)
    var text = String(decoding: projectFile, as: UTF8.self)
    if folder != configuration.paths.synapse {
      text = try BundledProjectFile.relocating(text, to: folder, file: ProjectFile.path(in: project))
      notes.append(
        "the checkout \(checkout) is outside the project folder: the bundle places it in the project's \(folder)/ on the target, and its synapse-local.yaml says paths.synapse: \(folder)"
      )
    }
    return AppPart(selection: selection, files: files, packages: packages, projectFile: Data(text.utf8), notes: notes, folder: folder)
  }

  /// The content files of npm's cache that `npm ci` reads for this lockfile on `platform`, each
  /// checked against the integrity the lockfile pins.
  func npmPackages(_ lockfile: String, platform: Platform) async throws -> [Planned] {
    guard let data = context.files.contents(lockfile) else { throw BundleError.unreadable(path: lockfile, reason: "it cannot be read") }
    let (needs, refused) = NpmCache.needs(try NpmLockfile(data: data, path: lockfile), platform: platform)
    if let first = refused.first {
      throw BundleError.cannotExport(
        reason:
          "\(lockfile) pins \(first.package.name)@\(first.package.version), which \(first.reason): `npm ci` cannot install it offline from a carried cache; pin a registry version, or pass --no-app"
      )
    }
    // No package to carry: npm is not asked where its cache is (its start costs more than the rest).
    guard !needs.isEmpty else { return [] }
    let cache = try await npmCacheFolder()
    var planned: [Planned] = []
    var missing: [NpmCache.Need] = []
    for need in needs {
      guard let found = NpmCache.find(need, in: cache, files: context.files) else {
        missing.append(need)
        continue
      }
      let source = cache + "/" + found.contentPath
      guard (try? Digest.hashFile(source, files: context.files, prefix: nil, algorithm: found.algorithm, progress: nil)) == found.hex else {
        throw BundleError.cannotExport(
          reason:
            "npm's cache entry for \(need.package.name)@\(need.package.version) (\(source)) is damaged: run `npm cache verify`, then export again"
        )
      }
      planned.append(try self.planned("npm-cache/" + found.contentPath, source))
    }
    if let first = missing.first {
      let folder = (lockfile as NSString).deletingLastPathComponent
      throw BundleError.cannotExport(
        reason:
          "npm's cache (\(cache)) lacks \(missing.count) of the \(needs.count) packages \(lockfile) pins (\(first.package.name)@\(first.package.version) first): run `npm ci` in \(folder) on this machine (it fills the cache), or `npm cache add \(first.package.name)@\(first.package.version)` for another platform's, then export again; or pass --no-app"
      )
    }
    return planned
  }

  /// npm's cache folder: `npm_config_cache`, else what `npm config get cache` says, else ~/.npm.
  func npmCacheFolder() async throws -> String {
    let environment = context.environment
    if let set = environment.first(where: { $0.key.lowercased() == "npm_config_cache" && !$0.value.isEmpty })?.value {
      return context.absolute(set)
    }
    if let npm = context.findExecutable("npm"),
      let answer = try? await context.processes.run(npm, ["config", "get", "cache"], timeout: .seconds(60)),
      answer.status == 0
    {
      let path = answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
      if path.hasPrefix("/") { return path }
    }
    return (environment["HOME"] ?? "/root") + "/.npm"
  }
}
