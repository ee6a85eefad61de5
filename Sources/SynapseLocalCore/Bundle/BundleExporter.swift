import Foundation
import SynapseLocalSystem

/// `bundle export`: everything a project needs to run on a machine with no network, in one
/// tar.zst: the tool itself first (`bin/`, `share/`), the manifest, the project files, the model
/// files the lock pins (in the Hugging Face cache layout), the llama.cpp archive and a wheelhouse of
/// binary wheels for the embedding runtime and PostgreSQL with pgvector.
public struct BundleExporter: Sendable {
  public struct Options: Sendable {
    public var project: String
    public var platform: Platform?
    /// `3.11`; nil: this machine's python3.
    public var python: String?
    /// The synapse-local binary to carry; nil: this one.
    public var tool: String?
    public var runtimes = true
    /// A private key (PEM) to sign the manifest with (`--sign`).
    public var signingKey: String?
    /// The target's llama.cpp build (`--gpu`: `cuda-12.8`, `rocm`, `cpu`, ...); nil: the lock's.
    public var gpu: String?
    /// Carry the Synapse checkout and the npm cache its lockfile needs (`--no-app`: not).
    public var app = true

    public init(
      project: String, platform: Platform? = nil, python: String? = nil, tool: String? = nil, runtimes: Bool = true,
      signingKey: String? = nil, gpu: String? = nil, app: Bool = true
    ) {
      self.project = project
      self.platform = platform
      self.python = python
      self.tool = tool
      self.runtimes = runtimes
      self.signingKey = signingKey
      self.gpu = gpu
      self.app = app
    }
  }

  public struct Result: Encodable, Sendable {
    public var path: String
    public var platform: String
    public var python: String?
    public var members: Int
    public var bytes: UInt64
    public var archiveBytes: UInt64
    /// The whole file's sha256: what `bundle import --sha256` checks.
    public var sha256: String
    /// The signing key's fingerprint, when signed (`bundle import --trust` its .pub).
    public var signedBy: String?
    public var notes: [String]
    /// What it carries, largest first: each model file, the engine archive, each wheel, the tool,
    /// the checkout's files and the npm packages (each together), and the project's and share/
    /// files together.
    public var contents: [Carried] = []
    /// The Synapse checkout it carries; nil with `--no-app` or no app enabled.
    public var app: CarriedApp?
  }

  /// The checkout a bundle carries, and its local changes.
  public struct CarriedApp: Encodable, Sendable, Equatable {
    public var checkout: String
    /// `git` (the tracked files) or `folder` (the app folders walked).
    public var source: CheckoutFiles.Source
    public var files: Int
    /// npm's cache entries for the lockfile's packages.
    public var packages: Int
    /// Where the checkout lands in the target's project folder (`paths.synapse` there).
    public var folder: String
    /// The work tree differs from its last commit: it is carried as it is on disk.
    public var localChanges: Bool
    public var modified: [String]
    public var deleted: [String]
    public var untracked: [String]
    public var withheld: [String]
  }

  /// One thing a bundle carries, with its size.
  public struct Carried: Encodable, Sendable, Equatable {
    /// `model`, `engine`, `wheel`, `tool`, `app` (the checkout's files), `npm` (its packages) or
    /// `files` (the project and share/, together).
    public var kind: String
    /// A model as ORG/REPO/PATH, a runtime by its file name.
    public var name: String
    public var sizeBytes: UInt64

    enum CodingKeys: String, CodingKey {
      case kind, name
      case sizeBytes = "size_bytes"
    }
  }

  /// A member to write: where its bytes come from, and its digest when known before writing.
  struct Planned {
    var name: String
    var source: String
    var size: UInt64
    /// Empty, for a member written before the manifest, until its write takes it.
    var sha256: String
    var mode: Int32 = 0o644
  }

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  public func export(to file: String, options: Options) async throws -> Result {
    let here = try Platform.current()
    let platform = options.platform ?? here
    // `--gpu` first: a build the release does not publish for the target stops the export here.
    let target = try options.gpu.map { try targetBuild(gpu: $0, platform: platform) }
    // Read first: a key that cannot sign stops the export before anything is written.
    let signer = try options.signingKey.map { path throws(BundleError) in
      try BundleSigningKey.load(privateKeyFile: path, files: context.files)
    }
    var notes: [String] = []
    let project = options.project
    let lockPath = project + "/" + ProjectLock.fileName
    guard let lockData = context.files.contents(lockPath) else {
      throw BundleError.cannotExport(reason: "\(lockPath) does not exist: pull or import the project's models first (synapse-local pull)")
    }
    let lock = try ProjectLock.load(lockPath, files: context.files)
    guard !lock.files.isEmpty else {
      throw BundleError.cannotExport(reason: "\(lockPath) pins no model file: pull the project's models first")
    }
    let configuration = try ProjectFile.load(project: project, environment: context.environment, files: context.files)
    if target != nil && configuration.engine != .llamaCpp {
      throw BundleError.cannotExport(
        reason: "--gpu chooses a llama.cpp build, and this project's engine is vLLM (which a bundle does not carry)")
    }

    // The tool: this binary when it suits the platform and carries its Swift runtime inside.
    let tool: String
    if let given = options.tool {
      tool = given
      if !Self.isStatic(given, files: context.files) {
        notes.append("\(given) links the Swift runtime dynamically: it runs only where Swift is installed")
      }
    } else {
      guard platform == here else {
        throw BundleError.cannotExport(
          reason:
            "the bundle is for \(platform.rawValue) and this synapse-local is \(here.rawValue): pass a \(platform.rawValue) build with --tool PATH"
        )
      }
      tool = context.files.linkTarget("/proc/self/exe") ?? CommandLine.arguments[0]
      guard Self.isStatic(tool, files: context.files) else {
        throw BundleError.cannotExport(
          reason:
            "this synapse-local (\(tool)) links the Swift runtime dynamically and would not run on a host without Swift: build one with `swift build -c release --static-swift-stdlib` and pass it with --tool PATH"
        )
      }
    }
    // python3's version and pip's choice of wheels cost two Python starts (2.4 s of a 6.1 s export of
    // the demo): asked now, they run while the rest is planned and the tool is written.
    let needed = RuntimeResolver.needed(configuration)
    let scratch = RuntimeHome(environment: context.environment).staging + "/bundle-wheels-\(UUID().uuidString.prefix(8))"
    defer { try? context.files.remove(scratch) }
    async let resolved = pythonAndWheels(
      options.python, wheels: options.runtimes, into: scratch, platform: platform,
      for: [RuntimeID.embedding, .postgresql].filter(needed.contains))

    // Written before the manifest, which lists their digests as the write takes them: read once.
    var early: [Planned] = [try sized("bin/synapse-local", tool, mode: 0o755)]
    // The keeper in C, where it sits beside the tool: the services run under it (KeeperProgram).
    let keeper = KeeperProgram.command(for: tool, files: context.files)
    if keeper.prefix.isEmpty { early.append(try sized("bin/" + KeeperProgram.name, keeper.executable, mode: 0o755)) }
    let locator = context.resources
    for kind in [ResourceLocator.Kind.profiles, .templates] {
      let folder = try locator.locate(kind)
      for relative in files(under: folder) {
        early.append(try sized("share/synapse-local/\(kind.rawValue)/\(relative)", folder + "/" + relative))
      }
    }

    // The model files, by blob: the lock's digests, checked again while they are written.
    let store = configuration.storeRoot(project: project, environment: context.environment)
    var models: [Planned] = []
    var contents: [Carried] = []
    for entry in lock.unusedModels(by: configuration, catalog: try context.resources.loadCatalog()) {
      notes.append(
        "the lock pins \(entry.repository)/\(entry.path) (\(ByteCount.format(entry.size))), which neither the llm nor the embedding model uses: it is carried; remove its entry from \(ProjectLock.fileName) to leave it out"
      )
    }
    for entry in lock.files {
      let id = try RepositoryID(entry.repository)
      let name = "models/" + HubCache.relativeBlob(id, etag: entry.etag)
      contents.append(Carried(kind: "model", name: "\(entry.repository)/\(entry.path)", sizeBytes: entry.size))
      guard !models.contains(where: { $0.name == name }) else { continue }
      let blob = HubCache(root: store, files: context.files).blob(id, etag: entry.etag)
      guard context.files.size(blob) == entry.size else {
        throw BundleError.cannotExport(
          reason:
            "\(entry.repository)/\(entry.path) is \(context.files.size(blob).map { "\($0) bytes" } ?? "missing") in the store, the lock pins \(entry.size) bytes: run `synapse-local models verify` and pull it again"
        )
      }
      let digest = try entry.sha256 ?? Digest.sha256(ofFile: blob, files: context.files)
      models.append(Planned(name: name, source: blob, size: entry.size, sha256: digest))
    }

    // The app, before the runtimes' wheels: a checkout that cannot be carried stops the export early.
    var projectText = context.files.contents(ProjectFile.path(in: project)) ?? Data()
    var app: AppPart?
    if options.app {
      app = try await appPart(configuration: configuration, project: project, projectFile: projectText, platform: platform)
      if let app {
        projectText = app.projectFile
        notes += app.notes
      }
    } else {
      notes.append("--no-app: the Synapse checkout is not carried; bring it to the target with git or a copy, with its packages")
    }
    let appFiles = (app?.files ?? []) + (app?.packages ?? [])

    var runtimeFiles: [Planned] = []
    var engineMember: String?
    if options.runtimes {
      if configuration.engine == .llamaCpp {
        let archive: (path: String, sha256: String)
        if let target {
          archive = try await targetArchive(target, platform: platform)
          if let pinned = lock.runtime(.llamaCpp, platform: platform)?.asset, pinned != target.asset.name {
            notes.append(
              "the lock pins \(pinned) for \(platform.rawValue); the bundle carries \(target.asset.name) (--gpu \(target.variant)), which the import installs and pins instead"
            )
          }
        } else {
          archive = try engineArchive(lock: lock, platform: platform)
        }
        let name = "runtimes/llama.cpp/" + (archive.path as NSString).lastPathComponent
        engineMember = name
        runtimeFiles.append(Planned(name: name, source: archive.path, size: context.files.size(archive.path) ?? 0, sha256: archive.sha256))
        // A CUDA build travels with its CUDA runtime archive, which the target unpacks beside it.
        if let companion = try companionArchive(of: archive.path) {
          runtimeFiles.append(
            Planned(
              name: "runtimes/llama.cpp/" + (companion.path as NSString).lastPathComponent, source: companion.path,
              size: context.files.size(companion.path) ?? 0, sha256: companion.sha256))
        }
      } else {
        notes.append("vLLM is not carried: install it on the target from a wheelhouse (synapse-local install vllm --wheelhouse DIR)")
      }
    } else {
      notes.append("--no-runtimes: the target must have llama.cpp, the embedding runtime and PostgreSQL with pgvector already")
    }

    let projectFiles: [(String, Data)] = [
      ("project/" + ProjectConfiguration.fileName, projectText),
      ("project/" + ProjectLock.fileName, lockData),
    ]
    // Written in order: the tool (with share/), the manifest, the project, then the data.
    let writer = try BundleArchiveWriter(path: file, files: context.files)
    var total =
      (early + appFiles + models + runtimeFiles).reduce(0) { $0 + $1.size } + projectFiles.reduce(0) { $0 + UInt64($1.1.count) }
    var done: UInt64 = 0
    let output = context.output
    func add(_ item: Planned) throws -> String {
      try writer.add(item.name, file: item.source, mode: item.mode, size: item.size) { count in
        done += count
        output.progress("bundle", done: done, total: total)
      }
    }
    for index in early.indices { early[index].sha256 = try add(early[index]) }
    let (python, wheels) = try await resolved
    for wheel in wheels {
      let name = "wheelhouse/" + (wheel.path as NSString).lastPathComponent
      guard !runtimeFiles.contains(where: { $0.name == name }) else { continue }
      if let sha256 = wheel.sha256, let size = context.files.size(wheel.path) {
        runtimeFiles.append(Planned(name: name, source: wheel.path, size: size, sha256: sha256))
      } else {
        runtimeFiles.append(try planned(name, wheel.path))
      }
      total += runtimeFiles[runtimeFiles.count - 1].size
    }

    var members = early.map { BundleManifest.Member(path: $0.name, size: $0.size, sha256: $0.sha256) }
    members += projectFiles.map { BundleManifest.Member(path: $0.0, size: UInt64($0.1.count), sha256: Digest.hex(.sha256, Array($0.1))) }
    members += appFiles.map {
      BundleManifest.Member(
        path: $0.name, size: $0.size, sha256: $0.sha256, executable: $0.mode == 0o755 && $0.name.hasPrefix("app/") ? true : nil)
    }
    members += (models + runtimeFiles).map { BundleManifest.Member(path: $0.name, size: $0.size, sha256: $0.sha256) }
    var manifest = BundleManifest(
      platform: platform, python: options.runtimes ? python : nil, toolVersion: ToolVersion.current,
      lock: String(decoding: lockData, as: UTF8.self), engineArchive: engineMember, members: members,
      created: context.time.now)
    if app != nil {
      // Older tools refuse it as a newer format rather than as an unknown member.
      manifest.format = BundleManifest.appFormat
      manifest.signed = signer != nil
    } else if signer != nil {
      manifest.format = BundleManifest.signedFormat
    }

    func write(_ item: Planned) throws {
      let digest = try add(item)
      guard digest == item.sha256 else {
        throw BundleError.cannotExport(
          reason:
            "\(item.source) does not match its digest \(item.sha256) (it has \(digest)): run `synapse-local models verify`, then pull it again"
        )
      }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let manifestData = try encoder.encode(manifest)
    try writer.add(BundleManifest.memberName, data: manifestData)
    // The signature covers the manifest's bytes as stored, and the manifest every member's digest.
    if let signer { try writer.add(BundleSignature.memberName, data: try BundleSignature(signing: manifestData, with: signer).encoded()) }
    for (name, data) in projectFiles { try writer.add(name, data: data) }
    for item in appFiles + models + runtimeFiles { try write(item) }
    let sha256 = try writer.finish()
    contents += runtimeFiles.map {
      Carried(kind: $0.name == engineMember ? "engine" : "wheel", name: ($0.name as NSString).lastPathComponent, sizeBytes: $0.size)
    }
    contents.append(Carried(kind: "tool", name: "bin/synapse-local", sizeBytes: early[0].size))
    if let app {
      let source = app.selection.source == .git ? "git's tracked files" : "the app folders"
      contents.append(
        Carried(
          kind: "app", name: "app/: \(app.files.count) files of the checkout (\(source))", sizeBytes: app.files.reduce(0) { $0 + $1.size }))
      if !app.packages.isEmpty {
        contents.append(
          Carried(
            kind: "npm", name: "npm-cache/: \(app.packages.count) npm packages the lockfile pins",
            sizeBytes: app.packages.reduce(0) { $0 + $1.size }))
      }
    }
    let small = early.dropFirst().reduce(0) { $0 + $1.size } + projectFiles.reduce(0) { $0 + UInt64($1.1.count) }
    contents.append(Carried(kind: "files", name: "project/ and share/synapse-local/", sizeBytes: small))
    return Result(
      path: file, platform: platform.rawValue, python: manifest.python, members: members.count + 1 + (signer == nil ? 0 : 1), bytes: total,
      archiveBytes: context.files.size(file) ?? 0, sha256: sha256, signedBy: signer?.fingerprint, notes: notes,
      contents: contents.sorted { ($0.sizeBytes, $1.name) > ($1.sizeBytes, $0.name) }, app: app.map(Self.carried))
  }

  static func carried(_ app: AppPart) -> CarriedApp {
    let selection = app.selection
    return CarriedApp(
      checkout: selection.checkout, source: selection.source, files: app.files.count, packages: app.packages.count, folder: app.folder,
      localChanges: selection.hasLocalChanges, modified: selection.modified, deleted: selection.deleted, untracked: selection.untracked,
      withheld: selection.withheld)
  }

  /// A member whose digest the write takes (one written before the manifest).
  func sized(_ name: String, _ source: String, mode: Int32 = 0o644) throws -> Planned {
    guard let size = context.files.size(source) else { throw BundleError.unreadable(path: source, reason: "it does not exist") }
    return Planned(name: name, source: source, size: size, sha256: "", mode: mode)
  }

  func planned(_ name: String, _ source: String, mode: Int32 = 0o644) throws -> Planned {
    guard let size = context.files.size(source) else { throw BundleError.unreadable(path: source, reason: "it does not exist") }
    return Planned(name: name, source: source, size: size, sha256: try Digest.sha256(ofFile: source, files: context.files), mode: mode)
  }

  /// Every file below `folder`, relative to it, sorted.
  func files(under folder: String) -> [String] {
    var found: [String] = []
    var pending = [""]
    while let relative = pending.popLast() {
      let path = relative.isEmpty ? folder : folder + "/" + relative
      for name in (context.files.list(path) ?? []).sorted() {
        let child = relative.isEmpty ? name : relative + "/" + name
        if context.files.isDirectory(folder + "/" + child) { pending.append(child) } else { found.append(child) }
      }
    }
    return found.sorted()
  }
}
