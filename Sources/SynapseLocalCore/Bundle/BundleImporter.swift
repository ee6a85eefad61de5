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

  /// Every member checked against the manifest; nothing written.
  public func verify(_ file: String) async throws -> BundleManifest {
    try await read(file, staging: nil, store: nil).manifest
  }

  public func importBundle(_ file: String, options: Options) async throws -> Result {
    let home = RuntimeHome(environment: context.environment)
    let staging = home.staging + "/bundle-\(UUID().uuidString.prefix(8))"
    try context.files.createDirectory(staging, permissions: 0o700)
    defer { try? FileManager.default.removeItem(atPath: staging) }
    let projectFile = ProjectFile.path(in: options.project)
    // The store the bundle's project will use, once written.
    var read = try await read(file, staging: staging, store: nil)
    let bundledProject = read.staged["project/" + ProjectConfiguration.fileName] ?? ""
    var configuration = try ProjectSchema.parse(
      context.files.readText(bundledProject) ?? "", file: "project/" + ProjectConfiguration.fileName)
    configuration.binaries = BinaryLocator(environment: context.environment).applyingOverrides(to: configuration.binaries)
    let store = configuration.storeRoot(project: options.project, environment: context.environment)
    if context.files.exists(projectFile), !options.force,
      context.files.contents(projectFile) != context.files.contents(bundledProject)
    {
      throw BundleError.unwritable(
        path: projectFile, reason: "it exists and differs from the bundle's; pass --force to replace it, or --project DIR")
    }
    read.present = presentBlobs(read, store: store)

    // Place: models, then the project; runtimes last (their checks load the project's models).
    var placed: [String] = []
    do {
      try placeModels(read, store: store, placed: &placed)
      try context.files.createDirectory(options.project)
      for name in [ProjectConfiguration.fileName, ProjectLock.fileName] {
        let target = options.project + "/" + name
        if !context.files.exists(target) { placed.append(target) }
        try AtomicFile.write(context.files.contents(read.staged["project/" + name] ?? "") ?? Data(), to: target)
      }
      var runtimes: [String] = []
      if read.manifest.python != nil || read.manifest.engineArchive != nil {
        runtimes = try await installRuntimes(read, project: options.project, staging: staging)
      }
      return Result(
        bundle: file, project: options.project, platform: read.manifest.platform.rawValue, members: read.manifest.members.count,
        modelFiles: read.lock.files.count, modelFilesPresent: read.present.count, runtimes: runtimes,
        notes: read.manifest.python == nil ? ["the bundle carries no runtimes (--no-runtimes): install them on this machine"] : [])
    } catch {
      for path in placed.reversed() { try? FileManager.default.removeItem(atPath: path) }
      throw error
    }
  }

  /// Streams the bundle: the tool's members hashed, the manifest checked, every later member
  /// hashed against it and, with `staging`, kept there under its own name.
  func read(_ file: String, staging: String?, store: String?) async throws -> Read {
    guard context.files.exists(file) else { throw BundleError.unreadable(path: file, reason: "it does not exist") }
    let pythonHere = try await hostPython()
    var early: [String: (UInt64, String)] = [:]
    var result: Read?
    var seen: Set<String> = []
    var done: UInt64 = 0
    let output = context.output
    try BundleArchiveReader(path: file).readMembers { member, stream in
      guard member.isRegularFile else {
        throw BundleError.tampered(path: file, member: member.name, reason: "is not a regular file")
      }
      try Self.checkName(member.name, file: file)
      guard var current = result else {
        if member.name == BundleManifest.memberName {
          let manifest = try readManifest(file, member: member, stream: stream)
          try check(manifest, file: file, pythonHere: pythonHere)
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
      let digest = Digest(.sha256)
      var written: UInt64 = 0
      var handle: FileHandle?
      var target: String?
      if let staging {
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
        digest.update(block)
        written += UInt64(block.count)
        done += UInt64(block.count)
        try handle?.write(contentsOf: block)
        output.progress("bundle", done: done, total: current.manifest.totalBytes)
      }
      guard written == listed.size, digest.finish() == listed.sha256 else {
        throw BundleError.tampered(path: file, member: member.name, reason: "does not match its sha256 in the manifest")
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

  func check(_ manifest: BundleManifest, file: String, pythonHere: String?) throws {
    guard manifest.format <= BundleManifest.currentFormat else { throw BundleError.newerFormat(path: file, format: manifest.format) }
    let here = try Platform.current()
    guard manifest.platform == here else {
      throw BundleError.wrongPlatform(path: file, bundle: manifest.platform.rawValue, here: here.rawValue)
    }
    if let python = manifest.python, let pythonHere, python != pythonHere {
      throw BundleError.wrongPython(path: file, bundle: python, here: pythonHere)
    }
  }

  /// The lock in the manifest must name exactly the model members the manifest lists, with the
  /// same sizes and digests.
  func checkLock(_ manifest: BundleManifest, file: String) throws -> ProjectLock {
    let lock: ProjectLock
    do {
      lock = try YAMLDecoder().decode(ProjectLock.self, from: manifest.lock)
    } catch {
      throw BundleError.lockDisagrees(path: file, reason: "the lock cannot be read (\(error))")
    }
    var expected: Set<String> = []
    for entry in lock.files {
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

  /// Blobs the store already holds with the right digest: not written again.
  func presentBlobs(_ read: Read, store: String) -> Set<String> {
    var present: Set<String> = []
    for member in read.manifest.members where member.path.hasPrefix("models/") {
      let blob = store + "/" + member.path.dropFirst("models/".count)
      if context.files.size(blob) == member.size, (try? Digest.sha256(ofFile: blob)) == member.sha256 { present.insert(member.path) }
    }
    return present
  }

  /// Blobs renamed into the store, snapshot links and refs made; `placed` lists what is new.
  func placeModels(_ read: Read, store: String, placed: inout [String]) throws {
    for member in read.manifest.members where member.path.hasPrefix("models/") && !read.present.contains(member.path) {
      let blob = store + "/" + member.path.dropFirst("models/".count)
      let folder = (blob as NSString).deletingLastPathComponent
      try context.files.createDirectory(folder, permissions: 0o755)
      guard let staged = read.staged[member.path] else { continue }
      try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: staged)
      guard rename(staged, blob) == 0 else {
        // Another file system: copied, then renamed into place.
        try FileManager.default.copyItem(atPath: staged, toPath: blob + ".import")
        guard rename(blob + ".import", blob) == 0 else {
          throw BundleError.unwritable(path: blob, reason: String(cString: strerror(errno)))
        }
        placed.append(blob)
        continue
      }
      placed.append(blob)
    }
    for entry in read.lock.files {
      let base = store + "/" + (try RepositoryID(entry.repository)).cacheFolderName
      let link = base + "/snapshots/" + entry.commit + "/" + entry.path
      if context.files.linkTarget(link) == nil && !context.files.exists(link) { placed.append(link) }
      try StoreFolders.link(link, toBlob: entry.etag, depth: entry.path.split(separator: "/").count - 1)
      if entry.revision != entry.commit {
        try StoreFolders.makeFolder(base + "/refs")
        try AtomicFile.write(Data(entry.commit.utf8), to: base + "/refs/" + entry.revision)
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

  /// This machine's python3 as `3.11`, nil without one.
  func hostPython() async throws -> String? {
    guard let python = context.findExecutable("python3") else { return nil }
    let answer = try? await context.processes.run(
      python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], timeout: .seconds(30))
    return answer.flatMap { $0.status == 0 ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil }
  }
}
