import Foundation
import SynapseLocalSystem

/// `bundle import`, `bundle verify` and `bundle list`. An import works with no network at all: it
/// checks the bundle is the one exported (the whole file's sha256, or the manifest's signature by a
/// trusted key) and verifies every member's sha256 while it streams into a staging folder (nothing
/// is visible under its real name before that), places the model files in the store, writes the
/// project, and installs the runtimes from the bundle's own archive and wheelhouse. A failure
/// leaves the store, the runtimes and the project as they were.
public struct BundleImporter: Sendable {
  public struct Options: Sendable {
    public var project: String
    /// Replace an existing, different synapse-local.yaml or synapse-local.lock.
    public var force = false
    /// What proves the bundle is the one exported; with nothing in it, the import is refused.
    public var trust: BundleTrust

    public init(project: String, force: Bool = false, trust: BundleTrust) {
      self.project = project
      self.force = force
      self.trust = trust
    }
  }

  public struct Result: Encodable, Sendable {
    public var bundle: String
    public var project: String
    public var platform: String
    public var members: Int
    public var modelFiles: Int
    /// Model files already in the store (verified by digest), not written again.
    public var modelFilesPresent: Int
    public var runtimes: [String]
    public var notes: [String]
    /// `sha256`, `signature by KEY`, or `nothing (--insecure-skip-verify)`.
    public var authenticatedBy: String
    /// The checkout's folder, when the bundle carries the app.
    public var checkout: String?
    /// The checkout's files it carries, and those already there byte for byte (not written again).
    public var appFiles = 0
    public var appFilesPresent = 0
    /// npm's cache entries for the app's lockfile, placed in the state folder's npm-cache/.
    public var npmPackages = 0

    enum CodingKeys: String, CodingKey {
      case bundle, project, platform, members, runtimes, notes, checkout
      case modelFiles = "model_files"
      case modelFilesPresent = "model_files_present"
      case appFiles = "app_files"
      case appFilesPresent = "app_files_present"
      case npmPackages = "npm_packages"
      case authenticatedBy = "authenticated_by"
    }
  }

  /// What `bundle verify` found: the manifest, and what proved the bundle authentic (nil: its
  /// integrity only was checked).
  public struct Verification: Sendable {
    public var manifest: BundleManifest
    public var authenticatedBy: String?
  }

  /// What reading the whole bundle found: its manifest, and where verified members were staged.
  struct Read {
    var manifest: BundleManifest
    var lock: ProjectLock
    var staged: [String: String] = [:]
    var present: Set<String> = []
    /// The store the bundle's project uses (import only).
    var store: String?
    /// What proved it authentic; nil: nothing was asked.
    var authenticatedBy: String?
  }

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  /// The manifest alone: the tool's members and the manifest are read, the data is not.
  public func list(_ file: String) throws -> BundleManifest {
    var found: BundleManifest?
    do {
      try BundleArchiveReader(path: file, files: context.files).readMembers { member, stream in
        if member.name == BundleManifest.memberName {
          found = try readManifest(file, member: member, stream: stream)
          throw Stop()
        }
      }
    } catch is Stop {}
    guard let found else { throw BundleError.noManifest(path: file) }
    return found
  }

  struct Stop: Error {}

  /// Every member checked against the manifest, and the bundle against `trust` when it holds a
  /// digest or a key; nothing written. A bundle for another platform verifies too.
  public func verify(_ file: String, trust: BundleTrust = BundleTrust()) async throws -> Verification {
    let trustedKey = try trust.trustedKey.map { path throws(BundleError) in
      try BundleSigningKey.load(publicKeyFile: path, files: context.files)
    }
    let read = try await read(file, staging: nil, target: false, trust: trust, trustedKey: trustedKey)
    return Verification(manifest: read.manifest, authenticatedBy: read.authenticatedBy)
  }

  public func importBundle(_ file: String, options: Options) async throws -> Result {
    // Before anything is read: integrity alone proves nothing, the manifest comes with the members.
    guard options.trust.checksAuthenticity || options.trust.insecureSkipVerify else { throw BundleError.unauthenticated(path: file) }
    let trustedKey = try options.trust.trustedKey.map { path throws(BundleError) in
      try BundleSigningKey.load(publicKeyFile: path, files: context.files)
    }
    let home = RuntimeHome(environment: context.environment)
    Self.removeStaleStaging(home.staging, now: context.time.now, files: context.files)
    let staging = home.staging + "/bundle-\(UUID().uuidString.prefix(8))"
    try context.files.createDirectory(staging, permissions: 0o700)
    // Kept when a rollback could not put everything back: it then holds the only copies.
    var keepStaging = false
    defer { if !keepStaging { try? context.files.remove(staging) } }
    let projectFile = ProjectFile.path(in: options.project)
    let environment = context.environment
    let files = context.files
    // The store the bundle's project will use: known once its project file arrives, before the data.
    let read = try await read(file, staging: staging, target: true, trust: options.trust, trustedKey: trustedKey) { text in
      guard var configuration = try? ProjectSchema.parse(String(decoding: text, as: UTF8.self), file: "project/synapse-local.yaml") else {
        return nil
      }
      configuration.binaries = BinaryLocator(environment: environment, files: context.files).applyingOverrides(to: configuration.binaries)
      return configuration.storeRoot(project: options.project, environment: environment)
    }
    guard let store = read.store, let bundledProject = read.staged["project/" + ProjectConfiguration.fileName] else {
      throw BundleError.missingMember(path: file, member: "project/" + ProjectConfiguration.fileName)
    }
    if files.exists(projectFile), !options.force, files.contents(projectFile) != files.contents(bundledProject) {
      throw BundleError.projectFileDiffers(path: file, file: projectFile, reason: "differs from the bundle's")
    }
    let lockFile = options.project + "/" + ProjectLock.fileName
    if !options.force, let existing = files.contents(lockFile), !Self.sameLock(existing, Data(read.manifest.lock.utf8)) {
      throw BundleError.projectFileDiffers(path: file, file: lockFile, reason: "pins other files or runtimes than the bundle's lock")
    }
    let app = try appPlacement(
      read, project: options.project, projectFile: files.contents(bundledProject) ?? Data(), force: options.force, file: file)
    var notes = read.manifest.python == nil ? ["the bundle carries no runtimes (--no-runtimes): install them on this machine"] : []
    if let missing = await missingPackages(read.manifest.debianPackages), !missing.isEmpty {
      notes.append(
        "the bundled bin/synapse-local needs \(missing.joined(separator: ", ")), which this host lacks: install them from the host's package mirror (apt-get install \(missing.joined(separator: " ")))"
      )
    }

    // Place: models, then the project; runtimes last (their checks load the project's models).
    // What is replaced is kept aside by rename and put back by rename if anything fails (BundleUndo).
    var undo = BundleUndo(staging: staging, files: context.files)
    do {
      try Task.checkCancellation()
      try placeModels(read, store: store, undo: &undo)
      try files.createDirectory(options.project)
      let contents = [
        ProjectConfiguration.fileName: files.contents(bundledProject) ?? Data(), ProjectLock.fileName: Data(read.manifest.lock.utf8),
      ]
      for (name, data) in contents.sorted(by: { $0.key < $1.key }) {
        let target = options.project + "/" + name
        try undo.keep(target)
        try files.write(data, to: target, permissions: 0o644)
      }
      if let app {
        try placeApp(app, read: read, undo: &undo)
        if app.packages > 0 {
          notes.append("the app's npm packages are in \(app.npmCache): up installs from there with no network (npm ci --offline)")
        }
      }
      var runtimes: [String] = []
      if read.manifest.python != nil || read.manifest.engineArchive != nil {
        try Task.checkCancellation()
        runtimes = try await installRuntimes(read, project: options.project, staging: staging)
      }
      undo.discard()
      return Result(
        bundle: file, project: options.project, platform: read.manifest.platform.rawValue, members: read.manifest.members.count,
        modelFiles: read.lock.files.count, modelFilesPresent: read.present.count, runtimes: runtimes, notes: notes,
        authenticatedBy: read.authenticatedBy ?? "nothing (--insecure-skip-verify)", checkout: app?.checkout, appFiles: app?.files ?? 0,
        appFilesPresent: app?.filesPresent ?? 0, npmPackages: app?.packages ?? 0)
    } catch {
      let stranded = undo.restore()
      guard stranded.isEmpty else {
        keepStaging = true
        throw BundleError.rollbackIncomplete(path: file, kept: stranded, reason: "\(error)")
      }
      throw error
    }
  }

  /// Streams the bundle once: the tool's members hashed, the manifest's signature checked against
  /// `trustedKey` (before the manifest is used), the manifest checked, every later member hashed
  /// against it and, with `staging`, kept there under its own name; the raw file hashed on the way
  /// and compared with `trust.sha256` at the end, before the caller places anything. `storeFor`
  /// reads the bundle's project file into the store it names: a model file already there with the
  /// same digest is then checked but not written again.
  func read(
    _ file: String, staging: String?, target: Bool, trust: BundleTrust, trustedKey: BundleSigningKey?,
    storeFor: ((Data) -> String?)? = nil
  ) async throws -> Read {
    guard context.files.exists(file) else { throw BundleError.unreadable(path: file, reason: "it does not exist") }
    let pythonHere = try await hostPython()
    var early: [String: (UInt64, String)] = [:]
    var result: Read?
    var seen: Set<String> = []
    var done: UInt64 = 0
    var total: UInt64 = 0
    let output = context.output
    // The manifest's bytes, held until the next member says whether a signature follows.
    var pending: Data?
    func accept(_ bytes: Data, signature: Data?) throws {
      let manifest = try authenticatedManifest(bytes, signature: signature, file: file, trust: trust, trustedKey: trustedKey)
      try check(manifest, file: file, pythonHere: pythonHere, target: target)
      for listed in manifest.members { try Self.checkName(listed.path, file: file) }
      try checkAppMembers(manifest, file: file)
      let lock = try checkLock(manifest, file: file)
      for (name, (size, sha256)) in early {
        guard let listed = manifest.members.first(where: { $0.path == name }) else {
          throw BundleError.unknownMember(path: file, member: name)
        }
        guard listed.size == size, listed.sha256 == sha256 else {
          throw BundleError.tampered(path: file, member: name, reason: "does not match its sha256 in the manifest")
        }
      }
      seen.formUnion(early.keys)
      total = manifest.totalBytes
      result = Read(manifest: manifest, lock: lock)
    }
    let fileSHA256 = try BundleArchiveReader(path: file, files: context.files).readMembers { member, stream in
      guard member.isRegularFile else {
        throw BundleError.tampered(path: file, member: member.name, reason: "is not a regular file")
      }
      do {
        try Self.checkName(member.name, file: file)
      } catch BundleError.unknownMember where result == nil && pending == nil {
        // No manifest yet, and a member no bundle has: another tar.zst.
        throw BundleError.noManifest(path: file)
      }
      if let bytes = pending {
        pending = nil
        if member.name == BundleSignature.memberName {
          guard member.size <= BundleSignature.maximumSize else {
            throw BundleError.tampered(path: file, member: member.name, reason: "is too large for a signature")
          }
          var signature = Data()
          try stream { signature.append(contentsOf: $0) }
          return try accept(bytes, signature: signature)
        }
        try accept(bytes, signature: nil)
      }
      guard var current = result else {
        if member.name == BundleManifest.memberName {
          pending = try readManifestBytes(file, member: member, stream: stream)
          return
        }
        guard member.name.hasPrefix("bin/") || member.name.hasPrefix("share/") else { throw BundleError.noManifest(path: file) }
        // Only one copy is checked: a second (which `tar -k` would extract instead) is refused.
        guard early[member.name] == nil else { throw BundleError.tampered(path: file, member: member.name, reason: "appears twice") }
        let digest = Digest(.sha256)
        var size: UInt64 = 0
        try stream { block in
          digest.update(block)
          size += UInt64(block.count)
        }
        early[member.name] = (size, digest.finish())
        return
      }
      guard let listed = current.manifest.members.first(where: { $0.path == member.name }) else {
        throw BundleError.unknownMember(path: file, member: member.name)
      }
      guard !seen.contains(member.name) else { throw BundleError.tampered(path: file, member: member.name, reason: "appears twice") }
      seen.insert(member.name)
      guard member.size == listed.size else {
        throw BundleError.tampered(path: file, member: member.name, reason: "is \(member.size) bytes, the manifest says \(listed.size)")
      }
      if member.name.hasPrefix("project/") && listed.size > 1 << 20 {
        throw BundleError.tampered(path: file, member: member.name, reason: "is larger than a project file can be (1 MiB)")
      }
      // A model file the store already holds, byte for byte, is checked but not written again.
      let inStore = current.store.map { $0 + "/" + member.name.dropFirst("models/".count) }
      let present =
        member.name.hasPrefix("models/")
        && inStore.map { context.files.size($0) == listed.size && (try? Digest.sha256(ofFile: $0, files: context.files)) == listed.sha256 }
          == true
      let digest = Digest(.sha256)
      // An npm cache file's name is its digest: its bytes must have it.
      let named = Self.npmContentDigest(member.name)
      let content = named.map { Digest($0.algorithm) }
      var written: UInt64 = 0
      var handle: (any OpenFile)?
      var target: String?
      var kept = Data()
      if let staging, !present {
        let path = staging + "/data/" + member.name
        try context.files.createDirectory((path as NSString).deletingLastPathComponent, permissions: 0o700)
        do {
          handle = try context.files.open(path + ".partial", .createNew, permissions: 0o600)
        } catch {
          throw BundleError.unwritable(path: path, reason: "cannot create it")
        }
        target = path
      }
      defer { handle?.close() }
      try stream { block in
        try Task.checkCancellation()
        digest.update(block)
        content?.update(block)
        written += UInt64(block.count)
        done += UInt64(block.count)
        try handle?.write(block)
        if member.name.hasPrefix("project/") { kept.append(contentsOf: block) }
        output.progress("bundle", done: done, total: total)
      }
      guard written == listed.size, digest.finish() == listed.sha256 else {
        throw BundleError.tampered(path: file, member: member.name, reason: "does not match its sha256 in the manifest")
      }
      if let named, content?.finish() != named.hex {
        throw BundleError.tampered(path: file, member: member.name, reason: "is not the package its name's \(named.name) names")
      }
      if present { current.present.insert(member.name) }
      if member.name == "project/" + ProjectLock.fileName, kept != Data(current.manifest.lock.utf8) {
        throw BundleError.lockDisagrees(path: file, reason: "project/synapse-local.lock differs from the manifest's lock")
      }
      if member.name == "project/" + ProjectConfiguration.fileName, let storeFor {
        current.store = storeFor(kept)
        if let staging, let store = current.store { try checkSpace(current.manifest, store: store, staging: staging, file: file) }
      }
      if let target {
        handle?.close()
        handle = nil
        do {
          try context.files.move(target + ".partial", to: target)
        } catch {
          throw BundleError.unwritable(path: target, reason: (error as? FileSystemError)?.reason ?? "\(error)")
        }
        current.staged[member.name] = target
      }
      result = current
    }
    if let bytes = pending { try accept(bytes, signature: nil) }
    if let expected = trust.sha256, fileSHA256 != expected {
      throw BundleError.digestMismatch(path: file, expected: expected, actual: fileSHA256)
    }
    guard var result else { throw BundleError.noManifest(path: file) }
    result.authenticatedBy = Self.authentication(trust, trustedKey: trustedKey)
    if let missing = result.manifest.members.first(where: { !seen.contains($0.path) }) {
      throw BundleError.missingMember(path: file, member: missing.path)
    }
    return result
  }

}
