import Foundation
import Yams

/// `bundle import`, `bundle verify` and `bundle list`. An import works with no network at all: it
/// verifies every member's sha256 while it streams into a staging folder (nothing is visible under
/// its real name before that), places the model files in the store, writes the project, and
/// installs the runtimes from the bundle's own archive and wheelhouse. A failure leaves the store,
/// the runtimes and the project as they were.
public struct BundleImporter: Sendable {
  public struct Options: Sendable {
    public var project: String
    /// Replace an existing, different synapse-local.yaml.
    public var force = false

    public init(project: String, force: Bool = false) {
      self.project = project
      self.force = force
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

    enum CodingKeys: String, CodingKey {
      case bundle, project, platform, members, runtimes, notes
      case modelFiles = "model_files"
      case modelFilesPresent = "model_files_present"
    }
  }

  /// What reading the whole bundle found: its manifest, and where verified members were staged.
  struct Read {
    var manifest: BundleManifest
    var lock: ProjectLock
    var staged: [String: String] = [:]
    var present: Set<String> = []
    /// The store the bundle's project uses (import only).
    var store: String?
  }

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  /// The manifest alone: the tool's members and the manifest are read, the data is not.
  public func list(_ file: String) throws -> BundleManifest {
    var found: BundleManifest?
    do {
      try BundleArchiveReader(path: file).readMembers { member, stream in
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

  /// Every member checked against the manifest; nothing written. Integrity only: a bundle for
  /// another platform verifies too.
  public func verify(_ file: String) async throws -> BundleManifest {
    try await read(file, staging: nil, target: false).manifest
  }

  public func importBundle(_ file: String, options: Options) async throws -> Result {
    let home = RuntimeHome(environment: context.environment)
    Self.removeStaleStaging(home.staging)
    let staging = home.staging + "/bundle-\(UUID().uuidString.prefix(8))"
    try context.files.createDirectory(staging, permissions: 0o700)
    defer { try? FileManager.default.removeItem(atPath: staging) }
    let projectFile = ProjectFile.path(in: options.project)
    let environment = context.environment
    let files = context.files
    // The store the bundle's project will use: known once its project file arrives, before the data.
    let read = try await read(file, staging: staging, target: true) { text in
      guard var configuration = try? ProjectSchema.parse(String(decoding: text, as: UTF8.self), file: "project/synapse-local.yaml") else {
        return nil
      }
      configuration.binaries = BinaryLocator(environment: environment).applyingOverrides(to: configuration.binaries)
      return configuration.storeRoot(project: options.project, environment: environment)
    }
    guard let store = read.store, let bundledProject = read.staged["project/" + ProjectConfiguration.fileName] else {
      throw BundleError.missingMember(path: file, member: "project/" + ProjectConfiguration.fileName)
    }
    if files.exists(projectFile), !options.force, files.contents(projectFile) != files.contents(bundledProject) {
      throw BundleError.unwritable(
        path: projectFile, reason: "it exists and differs from the bundle's; pass --force to replace it, or --project DIR")
    }
    var notes = read.manifest.python == nil ? ["the bundle carries no runtimes (--no-runtimes): install them on this machine"] : []
    if let missing = await missingPackages(read.manifest.debianPackages), !missing.isEmpty {
      notes.append(
        "the bundled bin/synapse-local needs \(missing.joined(separator: ", ")), which this host lacks: install them from the host's package mirror (apt-get install \(missing.joined(separator: " ")))"
      )
    }

    // Place: models, then the project; runtimes last (their checks load the project's models).
    // What is replaced is kept in staging and put back if anything fails.
    var undo = Undo(staging: staging)
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
        try AtomicFile.write(data, to: target)
      }
      var runtimes: [String] = []
      if read.manifest.python != nil || read.manifest.engineArchive != nil {
        try Task.checkCancellation()
        runtimes = try await installRuntimes(read, project: options.project, staging: staging)
      }
      return Result(
        bundle: file, project: options.project, platform: read.manifest.platform.rawValue, members: read.manifest.members.count,
        modelFiles: read.lock.files.count, modelFilesPresent: read.present.count, runtimes: runtimes, notes: notes)
    } catch {
      undo.restore()
      throw error
    }
  }

  /// What an import killed outright (SIGKILL, a power cut) left in staging: removed once it is a
  /// day old, so that an import running now in another shell keeps its own.
  static func removeStaleStaging(_ folder: String) {
    let day = Date().addingTimeInterval(-86_400)
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix("bundle-") {
      let path = folder + "/" + name
      if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < day {
        try? FileManager.default.removeItem(atPath: path)
      }
    }
  }

  /// Paths an import created or replaced, and how to put each back.
  struct Undo {
    let staging: String
    var created: [String] = []
    var replaced: [(path: String, kept: String)] = []
    var relinked: [(path: String, target: String)] = []

    /// Before writing `path`: remember that it is new, or move the old file aside.
    mutating func keep(_ path: String) throws {
      if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
        relinked.append((path, target))
      } else if FileManager.default.fileExists(atPath: path) {
        let kept = staging + "/undo-\(replaced.count)"
        try FileManager.default.copyItem(atPath: path, toPath: kept)
        replaced.append((path, kept))
      } else {
        created.append(path)
      }
    }

    func restore() {
      for path in created.reversed() { try? FileManager.default.removeItem(atPath: path) }
      for (path, kept) in replaced {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.copyItem(atPath: kept, toPath: path)
      }
      for (path, target) in relinked {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
      }
    }
  }

  /// Streams the bundle: the tool's members hashed, the manifest checked, every later member
  /// hashed against it and, with `staging`, kept there under its own name. `storeFor` reads the
  /// bundle's project file into the store it names: a model file already there with the same
  /// digest is then checked but not written again.
  func read(_ file: String, staging: String?, target: Bool, storeFor: ((Data) -> String?)? = nil) async throws -> Read {
    guard context.files.exists(file) else { throw BundleError.unreadable(path: file, reason: "it does not exist") }
    let pythonHere = try await hostPython()
    var early: [String: (UInt64, String)] = [:]
    var result: Read?
    var seen: Set<String> = []
    var done: UInt64 = 0
    var total: UInt64 = 0
    let output = context.output
    try BundleArchiveReader(path: file).readMembers { member, stream in
      guard member.isRegularFile else {
        throw BundleError.tampered(path: file, member: member.name, reason: "is not a regular file")
      }
      try Self.checkName(member.name, file: file)
      guard var current = result else {
        if member.name == BundleManifest.memberName {
          let manifest = try readManifest(file, member: member, stream: stream)
          try check(manifest, file: file, pythonHere: pythonHere, target: target)
          for listed in manifest.members { try Self.checkName(listed.path, file: file) }
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
          return
        }
        guard member.name.hasPrefix("bin/") || member.name.hasPrefix("share/") else { throw BundleError.noManifest(path: file) }
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
        && inStore.map { context.files.size($0) == listed.size && (try? Digest.sha256(ofFile: $0)) == listed.sha256 }
          == true
      let digest = Digest(.sha256)
      var written: UInt64 = 0
      var handle: FileHandle?
      var target: String?
      var kept = Data()
      if let staging, !present {
        let path = staging + "/data/" + member.name
        try context.files.createDirectory((path as NSString).deletingLastPathComponent, permissions: 0o700)
        guard FileManager.default.createFile(atPath: path + ".partial", contents: nil, attributes: [.posixPermissions: 0o600]),
          let opened = FileHandle(forWritingAtPath: path + ".partial")
        else { throw BundleError.unwritable(path: path, reason: "cannot create it") }
        handle = opened
        target = path
      }
      defer { try? handle?.close() }
      try stream { block in
        try Task.checkCancellation()
        digest.update(block)
        written += UInt64(block.count)
        done += UInt64(block.count)
        try handle?.write(contentsOf: block)
        if member.name.hasPrefix("project/") { kept.append(contentsOf: block) }
        output.progress("bundle", done: done, total: total)
      }
      guard written == listed.size, digest.finish() == listed.sha256 else {
        throw BundleError.tampered(path: file, member: member.name, reason: "does not match its sha256 in the manifest")
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
        try handle?.close()
        handle = nil
        guard rename(target + ".partial", target) == 0 else {
          throw BundleError.unwritable(path: target, reason: String(cString: strerror(errno)))
        }
        current.staged[member.name] = target
      }
      result = current
    }
    guard let result else { throw BundleError.noManifest(path: file) }
    if let missing = result.manifest.members.first(where: { !seen.contains($0.path) }) {
      throw BundleError.missingMember(path: file, member: missing.path)
    }
    return result
  }

  /// Enough free space for what will be written: every member but the model files the store holds
  /// already (known by size here; their digests are checked as they stream).
  func checkSpace(_ manifest: BundleManifest, store: String, staging: String, file: String) throws {
    let needed = manifest.members.filter { member in
      !(member.path.hasPrefix("models/") && context.files.size(store + "/" + member.path.dropFirst("models/".count)) == member.size)
    }.reduce(UInt64(0)) { $0 + $1.size }
    if let free = context.files.freeBytes(at: staging), free < needed {
      throw BundleError.unwritable(
        path: staging,
        reason:
          "the import needs \(ByteCount.format(needed)) there and \(ByteCount.format(free)) is free; free some space, or set SYNAPSE_LOCAL_HOME to a larger disk"
      )
    }
  }

  /// A member name must stay below the bundle's own folders.
  static func checkName(_ name: String, file: String) throws {
    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
    guard !name.hasPrefix("/"), !parts.contains(".."), !parts.contains(""), !name.isEmpty else {
      throw BundleError.tampered(path: file, member: name, reason: "has an unsafe path")
    }
    let roots = ["bin", "share", "project", "models", "runtimes", "wheelhouse", BundleManifest.memberName]
    guard let first = parts.first, roots.contains(String(first)) else { throw BundleError.unknownMember(path: file, member: name) }
  }

  func readManifest(
    _ file: String, member: BundleArchiveReader.Member, stream: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
  ) throws -> BundleManifest {
    guard member.size < 64 << 20 else { throw BundleError.tampered(path: file, member: member.name, reason: "is too large for a manifest") }
    var data = Data()
    try stream { data.append(contentsOf: $0) }
    do {
      // A newer format is named as such even when its fields are unknown.
      if let object = try JSONSerialization.jsonObject(with: data) as? [String: Any], let format = object["format"] as? Int,
        format > BundleManifest.currentFormat
      {
        throw BundleError.newerFormat(path: file, format: format)
      }
      return try JSONDecoder().decode(BundleManifest.self, from: data)
    } catch let error as BundleError {
      throw error
    } catch {
      throw BundleError.tampered(path: file, member: member.name, reason: "is not a manifest this tool reads")
    }
  }

  func check(_ manifest: BundleManifest, file: String, pythonHere: String?, target: Bool) throws {
    guard manifest.format <= BundleManifest.currentFormat else { throw BundleError.newerFormat(path: file, format: manifest.format) }
    var total: UInt64 = 0
    for member in manifest.members {
      let (sum, overflow) = total.addingReportingOverflow(member.size)
      guard !overflow, sum < 1 << 50 else {
        throw BundleError.tampered(path: file, member: BundleManifest.memberName, reason: "declares more bytes than any disk holds")
      }
      total = sum
    }
    // `bundle verify` checks integrity only: a bundle for another machine verifies here too.
    guard target else { return }
    let here = try Platform.current()
    guard manifest.platform == here else {
      throw BundleError.wrongPlatform(path: file, bundle: manifest.platform.rawValue, here: here.rawValue)
    }
    if let python = manifest.python, python != (pythonHere ?? "none") {
      throw BundleError.wrongPython(path: file, bundle: python, here: pythonHere ?? "none (no python3 on PATH)")
    }
  }

  /// The lock in the manifest must name exactly the model members the manifest lists, with the
  /// same sizes and digests.
  func checkLock(_ manifest: BundleManifest, file: String) throws -> ProjectLock {
    let lock: ProjectLock
    do {
      lock = try YAMLDecoder().decode(ProjectLock.self, from: manifest.lock)
    } catch {
      let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "not YAML"
      throw BundleError.lockDisagrees(path: file, reason: "the lock cannot be read (\(first))")
    }
    var expected: Set<String> = []
    for entry in lock.files {
      // Every value that becomes part of a path in the store: hex digests, a safe path and revision.
      func hex(_ text: String, _ lengths: Set<Int>) -> Bool {
        lengths.contains(text.count) && text.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
      }
      let revisionParts = entry.revision.split(separator: "/", omittingEmptySubsequences: false)
      guard hex(entry.commit, [40]), hex(entry.etag, [40, 64]), (try? validatedPathInRepository(entry.path)) != nil,
        !entry.revision.isEmpty, !entry.revision.hasPrefix("/"), revisionParts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
        !entry.revision.contains("\0")
      else {
        throw BundleError.tampered(
          path: file, member: BundleManifest.memberName,
          reason: "pins \(entry.repository)/\(entry.path) with an unsafe commit, etag, path or revision")
      }
      let name = "models/\(try RepositoryID(entry.repository).cacheFolderName)/blobs/\(entry.etag)"
      expected.insert(name)
      guard let member = manifest.members.first(where: { $0.path == name }) else {
        throw BundleError.lockDisagrees(path: file, reason: "\(entry.repository)/\(entry.path) has no member \(name)")
      }
      guard member.size == entry.size, entry.sha256 == nil || entry.sha256 == member.sha256 else {
        throw BundleError.lockDisagrees(
          path: file, reason: "\(entry.repository)/\(entry.path) is pinned at another size or digest than \(name)")
      }
    }
    if let extra = manifest.members.first(where: { $0.path.hasPrefix("models/") && !expected.contains($0.path) }) {
      throw BundleError.lockDisagrees(path: file, reason: "\(extra.path) is not pinned by the lock")
    }
    return lock
  }

  /// Blobs renamed into the store, snapshot links made, refs made where there were none (an
  /// existing ref is never moved: the lock names its commit anyway). `undo` hears each change.
  func placeModels(_ read: Read, store: String, undo: inout Undo) throws {
    for member in read.manifest.members where member.path.hasPrefix("models/") && !read.present.contains(member.path) {
      guard let staged = read.staged[member.path] else { continue }
      let blob = store + "/" + member.path.dropFirst("models/".count)
      let folder = (blob as NSString).deletingLastPathComponent
      try StoreFolders.makeFolder(folder)
      try undo.keep(blob)
      try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: staged)
      if rename(staged, blob) != 0 {
        // Another file system: copied beside it, then renamed into place.
        let copy = blob + ".import-\(UUID().uuidString.prefix(8))"
        do {
          try FileManager.default.copyItem(atPath: staged, toPath: copy)
        } catch {
          try? FileManager.default.removeItem(atPath: copy)
          throw BundleError.unwritable(path: blob, reason: "cannot copy into the store")
        }
        guard rename(copy, blob) == 0 else {
          try? FileManager.default.removeItem(atPath: copy)
          throw BundleError.unwritable(path: blob, reason: String(cString: strerror(errno)))
        }
      }
    }
    for entry in read.lock.files {
      let base = store + "/" + (try RepositoryID(entry.repository)).cacheFolderName
      let link = base + "/snapshots/" + entry.commit + "/" + entry.path
      let wanted = String(repeating: "../", count: 2 + entry.path.split(separator: "/").count - 1) + "blobs/" + entry.etag
      if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != wanted {
        try undo.keep(link)
        try StoreFolders.link(link, toBlob: entry.etag, depth: entry.path.split(separator: "/").count - 1)
      }
      let ref = base + "/refs/" + entry.revision
      if entry.revision != entry.commit && !context.files.exists(ref) {
        try StoreFolders.makeFolder((ref as NSString).deletingLastPathComponent)
        try undo.keep(ref)
        try AtomicFile.write(Data(entry.commit.utf8), to: ref)
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
      // Its own name: an engines.yaml asset is known by it.
      let named = staging + "/" + (engine as NSString).lastPathComponent
      guard rename(archive, named) == 0 else { throw BundleError.unwritable(path: named, reason: String(cString: strerror(errno))) }
      var options = RuntimeInstaller.Options()
      options.project = project
      options.from = named
      options.sha256 = sha256
      for outcome in try await installer.install([.llamaCpp], options: options) { done.append(outcome.manifest.id.rawValue) }
    }
    if read.manifest.python != nil {
      var options = RuntimeInstaller.Options()
      options.project = project
      options.wheelhouse = staging + "/data/wheelhouse"
      for outcome in try await installer.install([.embedding, .postgresql], options: options) { done.append(outcome.manifest.id.rawValue) }
    }
    return done
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
