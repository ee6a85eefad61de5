import Foundation
import SynapseLocalSystem

/// The Synapse checkout a bundle carries (`app/`) and the npm cache its install reads
/// (`npm-cache/`): checked by name with the manifest, planned against what the target already
/// holds (an identical file is not written again; a different one is refused unless `--force`),
/// and placed through `BundleUndo` like the store and the project.
extension BundleImporter {
  /// Where each app member goes, and which are there already.
  struct AppPlacement {
    struct Item {
      var member: String
      var target: String
      var executable: Bool
      var present: Bool
    }

    var checkout: String
    /// The project's state folder, where the npm cache goes.
    var state: String
    var npmCache: String
    var items: [Item]
    var files: Int { items.filter { $0.member.hasPrefix("app/") }.count }
    var filesPresent: Int { items.filter { $0.member.hasPrefix("app/") && $0.present }.count }
    var packages: Int { items.filter { $0.member.hasPrefix("npm-cache/") }.count }
  }

  /// Every `app/` member a path the checkout may hold, every `npm-cache/` member a content file
  /// named by its digest (checked again against its bytes as it streams).
  func checkAppMembers(_ manifest: BundleManifest, file: String) throws {
    for member in manifest.members {
      if member.path.hasPrefix("app/"), let reason = CheckoutPath.refusal(String(member.path.dropFirst("app/".count))) {
        throw BundleError.tampered(path: file, member: member.path, reason: reason)
      }
      if member.path.hasPrefix("npm-cache/"), NpmIntegrity.named(by: String(member.path.dropFirst("npm-cache/".count))) == nil {
        throw BundleError.tampered(path: file, member: member.path, reason: "is not a content file of npm's cache (_cacache/content-v2/…)")
      }
    }
  }

  /// The hash an `npm-cache/` member's bytes must have: the one its name says.
  static func npmContentDigest(_ member: String) -> NpmIntegrity? {
    member.hasPrefix("npm-cache/") ? NpmIntegrity.named(by: String(member.dropFirst("npm-cache/".count))) : nil
  }

  /// Where the app's members go on this machine: the checkout is the bundled project file's
  /// `paths.synapse`, which must be inside the project; the npm cache goes to the state folder.
  /// A file of the checkout that exists and differs is refused unless `force`; a folder on the
  /// way that is a link is refused always (the files are never written through a link).
  func appPlacement(_ read: Read, project: String, projectFile: Data, force: Bool, file: String) throws -> AppPlacement? {
    guard read.manifest.carriesApp else { return nil }
    let bundled = "project/" + ProjectConfiguration.fileName
    guard let configuration = try? ProjectSchema.parse(String(decoding: projectFile, as: UTF8.self), file: bundled) else {
      throw BundleError.tampered(path: file, member: bundled, reason: "cannot be read as a project file")
    }
    let synapse = configuration.paths.synapse
    guard synapse == "." || (CheckoutPath.refusal(synapse) == nil && !synapse.hasPrefix("~")) else {
      throw BundleError.tampered(
        path: file, member: bundled, reason: "puts the checkout outside the project (paths.synapse: \(PathSafety.quoted(synapse)))")
    }
    let checkout = synapse == "." ? project : project + "/" + synapse
    let state = configuration.stateFolder(project: project, environment: context.environment)
    let npmCache = state + "/" + NpmCache.stateFolder
    let reserved = [ProjectFile.path(in: project), project + "/" + ProjectLock.fileName]
    var items: [AppPlacement.Item] = []
    var differing: [String] = []
    for member in read.manifest.members {
      let target: String
      if member.path.hasPrefix("app/") {
        target = checkout + "/" + member.path.dropFirst("app/".count)
        guard !reserved.contains(target), !CheckoutPath.isInside(target, state) else {
          throw BundleError.tampered(path: file, member: member.path, reason: "would overwrite the project's own \(target)")
        }
        try refuseLinks(below: checkout, to: target)
      } else if member.path.hasPrefix("npm-cache/") {
        target = npmCache + "/" + member.path.dropFirst("npm-cache/".count)
        try refuseLinks(below: state, to: target)
      } else {
        continue
      }
      let present = Self.holds(target, size: member.size, sha256: member.sha256, files: context.files)
      let exists = context.files.entry(target) != nil
      if exists, !present, member.path.hasPrefix("app/") { differing.append(target) }
      items.append(.init(member: member.path, target: target, executable: member.executable == true, present: present))
    }
    if let first = differing.first, !force {
      let more = differing.count > 1 ? " (and \(differing.count - 1) other file(s) of the checkout)" : ""
      throw BundleError.projectFileDiffers(path: file, file: first, reason: "differs from the bundle's checkout\(more)")
    }
    return AppPlacement(checkout: checkout, state: state, npmCache: npmCache, items: items)
  }

  /// Whether `path` is a regular file (not a link) with this size and digest.
  static func holds(_ path: String, size: UInt64, sha256: String, files: any FileSystem) -> Bool {
    guard let entry = files.entry(path), entry.kind == .file, entry.size == size else { return false }
    return (try? Digest.sha256(ofFile: path, files: files)) == sha256
  }

  /// Refuses a folder between `base` and `target` that is a link: a checkout's file is written
  /// where its path says, never where a link would take it.
  func refuseLinks(below base: String, to target: String) throws {
    var path = base
    for part in target.dropFirst(base.count + 1).split(separator: "/").dropLast() {
      path += "/" + part
      if context.files.linkTarget(path) != nil {
        throw BundleError.unwritable(
          path: path,
          reason: "it is a link, and a bundle's files are not written through links; replace it with a folder. Nothing was imported")
      }
    }
  }

  /// Places the app's members that are not there already: folders made (and taken back on
  /// failure), each file kept aside by `undo` before it is replaced, its mode from the manifest.
  func placeApp(_ placement: AppPlacement, read: Read, undo: inout BundleUndo) throws {
    for item in placement.items where !item.present {
      guard let staged = read.staged[item.member] else { continue }
      // The state folder as `generate` makes it: PostgreSQL, run as another user, passes through it.
      if item.member.hasPrefix("npm-cache/") { try makeFolders(placement.state, permissions: 0o711, undo: &undo) }
      try makeFolders((item.target as NSString).deletingLastPathComponent, undo: &undo)
      // A file, or with --force a folder or link where the bundle has a file: moved aside.
      try undo.keep(item.target)
      try? context.files.setPermissions(item.executable ? 0o755 : 0o644, of: staged)
      try Self.place(staged, at: item.target, files: context.files)
    }
  }

  /// `folder` and its missing parents, the topmost of them recorded by `undo`.
  func makeFolders(_ folder: String, permissions: Int = 0o755, undo: inout BundleUndo) throws {
    guard !context.files.exists(folder) else { return }
    var missing = folder
    while true {
      let parent = (missing as NSString).deletingLastPathComponent
      guard parent != missing, !context.files.exists(parent) else { break }
      missing = parent
    }
    try undo.keep(missing)
    try context.files.createDirectory(folder, permissions: permissions)
  }

  /// A staged file renamed into place, or copied beside it and renamed where it is on another
  /// file system.
  static func place(_ staged: String, at target: String, files: any FileSystem) throws {
    guard (try? files.move(staged, to: target)) == nil else { return }
    let copy = target + ".import-\(UUID().uuidString.prefix(8))"
    do {
      try files.copy(staged, to: copy)
    } catch {
      try? files.remove(copy)
      throw BundleError.unwritable(path: target, reason: "cannot copy it into place")
    }
    do {
      try files.move(copy, to: target)
    } catch {
      try? files.remove(copy)
      throw BundleError.unwritable(path: target, reason: (error as? FileSystemError)?.reason ?? "\(error)")
    }
  }
}

extension BundleImporter {
  /// A staged file renamed within staging; a failure said in one line.
  static func move(_ source: String, to target: String, files: any FileSystem) throws {
    do {
      try files.move(source, to: target)
    } catch {
      throw BundleError.unwritable(path: target, reason: (error as? FileSystemError)?.reason ?? "\(error)")
    }
  }
}
