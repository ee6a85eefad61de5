import Foundation

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

    public init(
      project: String, platform: Platform? = nil, python: String? = nil, tool: String? = nil, runtimes: Bool = true,
      signingKey: String? = nil, gpu: String? = nil
    ) {
      self.project = project
      self.platform = platform
      self.python = python
      self.tool = tool
      self.runtimes = runtimes
      self.signingKey = signingKey
      self.gpu = gpu
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
    /// and the project's and share/ files together.
    public var contents: [Carried] = []
  }

  /// One thing a bundle carries, with its size.
  public struct Carried: Encodable, Sendable, Equatable {
    /// `model`, `engine`, `wheel`, `tool` or `files` (the project and share/, together).
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
      if !Self.isStatic(given) {
        notes.append("\(given) links the Swift runtime dynamically: it runs only where Swift is installed")
      }
    } else {
      guard platform == here else {
        throw BundleError.cannotExport(
          reason:
            "the bundle is for \(platform.rawValue) and this synapse-local is \(here.rawValue): pass a \(platform.rawValue) build with --tool PATH"
        )
      }
      tool = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
      guard Self.isStatic(tool) else {
        throw BundleError.cannotExport(
          reason:
            "this synapse-local (\(tool)) links the Swift runtime dynamically and would not run on a host without Swift: build one with `swift build -c release --static-swift-stdlib` and pass it with --tool PATH"
        )
      }
    }
    let python = try await pythonVersion(options.python)

    var early: [Planned] = [try planned("bin/synapse-local", tool, mode: 0o755)]
    let locator = context.resources
    for kind in [ResourceLocator.Kind.profiles, .templates] {
      let folder = try locator.locate(kind)
      for relative in files(under: folder) {
        early.append(try planned("share/synapse-local/\(kind.rawValue)/\(relative)", folder + "/" + relative))
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
      let folder = try RepositoryID(entry.repository).cacheFolderName
      let name = "models/\(folder)/blobs/\(entry.etag)"
      contents.append(Carried(kind: "model", name: "\(entry.repository)/\(entry.path)", sizeBytes: entry.size))
      guard !models.contains(where: { $0.name == name }) else { continue }
      let blob = store + "/" + folder + "/blobs/" + entry.etag
      guard context.files.size(blob) == entry.size else {
        throw BundleError.cannotExport(
          reason:
            "\(entry.repository)/\(entry.path) is \(context.files.size(blob).map { "\($0) bytes" } ?? "missing") in the store, the lock pins \(entry.size) bytes: run `synapse-local models verify` and pull it again"
        )
      }
      let digest = try entry.sha256 ?? Digest.sha256(ofFile: blob)
      models.append(Planned(name: name, source: blob, size: entry.size, sha256: digest))
    }

    var runtimeFiles: [Planned] = []
    var engineMember: String?
    var scratch: String?
    defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
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
      let folder = RuntimeHome(environment: context.environment).staging + "/bundle-wheels-\(UUID().uuidString.prefix(8))"
      scratch = folder
      let needed = RuntimeResolver.needed(configuration)
      let pythonRuntimes = [RuntimeID.embedding, .postgresql].filter(needed.contains)
      for wheel in try await wheels(into: folder, platform: platform, python: python, runtimes: pythonRuntimes) {
        let name = "wheelhouse/" + (wheel.path as NSString).lastPathComponent
        guard !runtimeFiles.contains(where: { $0.name == name }) else { continue }
        if let sha256 = wheel.sha256, let size = context.files.size(wheel.path) {
          runtimeFiles.append(Planned(name: name, source: wheel.path, size: size, sha256: sha256))
        } else {
          runtimeFiles.append(try planned(name, wheel.path))
        }
      }
    } else {
      notes.append("--no-runtimes: the target must have llama.cpp, the embedding runtime and PostgreSQL with pgvector already")
    }

    let projectFiles: [(String, Data)] = [
      ("project/" + ProjectConfiguration.fileName, context.files.contents(ProjectFile.path(in: project)) ?? Data()),
      ("project/" + ProjectLock.fileName, lockData),
    ]
    var members = early.map { BundleManifest.Member(path: $0.name, size: $0.size, sha256: $0.sha256) }
    members += projectFiles.map { BundleManifest.Member(path: $0.0, size: UInt64($0.1.count), sha256: Digest.hex(.sha256, Array($0.1))) }
    members += (models + runtimeFiles).map { BundleManifest.Member(path: $0.name, size: $0.size, sha256: $0.sha256) }
    var manifest = BundleManifest(
      platform: platform, python: options.runtimes ? python : nil, toolVersion: ToolVersion.current,
      lock: String(decoding: lockData, as: UTF8.self), engineArchive: engineMember, members: members)
    if signer != nil { manifest.format = BundleManifest.signedFormat }

    // Written in order: the tool, the manifest, the project, then the data.
    let writer = try BundleArchiveWriter(path: file)
    let total = manifest.totalBytes
    var done: UInt64 = 0
    let output = context.output
    func write(_ item: Planned) throws {
      let digest = try writer.add(item.name, file: item.source, mode: item.mode, size: item.size) { count in
        done += count
        output.progress("bundle", done: done, total: total)
      }
      guard digest == item.sha256 else {
        throw BundleError.cannotExport(
          reason:
            "\(item.source) does not match its digest \(item.sha256) (it has \(digest)): run `synapse-local models verify`, then pull it again"
        )
      }
    }
    for item in early { try write(item) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let manifestData = try encoder.encode(manifest)
    try writer.add(BundleManifest.memberName, data: manifestData)
    // The signature covers the manifest's bytes as stored, and the manifest every member's digest.
    if let signer { try writer.add(BundleSignature.memberName, data: try BundleSignature(signing: manifestData, with: signer).encoded()) }
    for (name, data) in projectFiles { try writer.add(name, data: data) }
    for item in models + runtimeFiles { try write(item) }
    let sha256 = try writer.finish()
    contents += runtimeFiles.map {
      Carried(kind: $0.name == engineMember ? "engine" : "wheel", name: ($0.name as NSString).lastPathComponent, sizeBytes: $0.size)
    }
    contents.append(Carried(kind: "tool", name: "bin/synapse-local", sizeBytes: early[0].size))
    let small = early.dropFirst().reduce(0) { $0 + $1.size } + projectFiles.reduce(0) { $0 + UInt64($1.1.count) }
    contents.append(Carried(kind: "files", name: "project/ and share/synapse-local/", sizeBytes: small))
    return Result(
      path: file, platform: platform.rawValue, python: manifest.python, members: members.count + 1 + (signer == nil ? 0 : 1), bytes: total,
      archiveBytes: context.files.size(file) ?? 0, sha256: sha256, signedBy: signer?.fingerprint, notes: notes,
      contents: contents.sorted { ($0.sizeBytes, $1.name) > ($1.sizeBytes, $0.name) })
  }

  func planned(_ name: String, _ source: String, mode: Int32 = 0o644) throws -> Planned {
    guard let size = context.files.size(source) else { throw BundleError.unreadable(path: source, reason: "it does not exist") }
    return Planned(name: name, source: source, size: size, sha256: try Digest.sha256(ofFile: source), mode: mode)
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

  /// Whether a binary carries its Swift runtime (no libswiftCore.so to load).
  static func isStatic(_ binary: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: binary) else { return false }
    defer { try? handle.close() }
    let needle = Array("libswiftCore.so".utf8)
    var carry: [UInt8] = []
    while let chunk = try? handle.read(upToCount: 4 << 20), !chunk.isEmpty {
      let bytes = carry + Array(chunk)
      if bytes.firstRange(of: needle) != nil { return false }
      carry = Array(bytes.suffix(needle.count))
    }
    return true
  }

  /// `3.11`: the one asked for, else this machine's python3's.
  func pythonVersion(_ asked: String?) async throws -> String {
    if let asked {
      let parts = asked.split(separator: ".")
      guard parts.count == 2, parts.allSatisfy({ Int($0) != nil }) else {
        throw BundleError.cannotExport(reason: "--python \(asked): expected MAJOR.MINOR, e.g. 3.11")
      }
      return asked
    }
    let answer = try await context.processes.run(
      context.findExecutable("python3") ?? "/usr/bin/python3", ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
      timeout: .seconds(30))
    guard answer.status == 0 else { throw BundleError.cannotExport(reason: "python3 did not say its version; pass --python X.Y") }
    return answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Binary wheels for every pinned dependency of the embedding runtime and PostgreSQL, for the
  /// platform and Python. From the wheelhouse the embedding runtime was installed from, when there
  /// is one: pip's own resolver names the wheels (`install --dry-run --report`) and their digests,
  /// and they are read where they are, not copied. Else pip downloads them from PyPI into `folder`
  /// (its cache makes that quick).
  func wheels(into folder: String, platform: Platform, python: String, runtimes: [RuntimeID]) async throws -> [(
    path: String, sha256: String?
  )] {
    let profiles = try context.resources.locate(.profiles)
    let home = RuntimeHome(environment: context.environment)
    let wheelhouse = RuntimeInventory(home: home, files: context.files).list(measure: false).first {
      runtimes.contains($0.manifest.id) && context.files.isDirectory($0.manifest.source)
    }?.manifest.source
    guard let pythonProgram = context.findExecutable("python3") else {
      throw BundleError.cannotExport(reason: "python3 is not on PATH (pip picks the wheels)")
    }
    let machine = platform == .linuxArm64 ? "aarch64" : "x86_64"
    // Every manylinux a glibc 2.17-2.36 host (Debian 12) runs, as pip would accept them there.
    let tags =
      (5...36).map { "manylinux_2_\($0)_\(machine)" } + ["manylinux1", "manylinux2010", "manylinux2014"].map { "\($0)_\(machine)" }
      + ["linux_\(machine)"]
    var found: [(path: String, sha256: String?)] = []
    try context.files.createDirectory(folder, permissions: 0o700)
    for id in runtimes {
      let requirements = try RequirementSet.load(id, profiles: profiles, files: context.files)
      var common = [
        "--disable-pip-version-check", "-q", "--only-binary=:all:", "--no-deps", "--python-version", python, "--implementation", "cp",
        "-r", requirements.path,
      ]
      for tag in tags { common += ["--platform", tag] }
      context.output.line("bundle: wheels for \(id.rawValue) (\(python), \(platform.rawValue)) from \(wheelhouse ?? "PyPI")")
      let arguments: [String]
      let report = folder + "/\(id.rawValue)-report.json"
      if let wheelhouse {
        arguments =
          [
            "-m", "pip", "install", "--dry-run", "--ignore-installed", "--target", folder + "/none", "--report", report,
            "--no-index", "--find-links", wheelhouse,
          ] + common
      } else {
        arguments = ["-m", "pip", "download", "-d", folder] + common
      }
      let result = try await context.processes.run(pythonProgram, arguments, timeout: .seconds(3600))
      guard result.status == 0 else {
        let last = (result.stderr + result.stdout).split(separator: "\n").last.map(String.init) ?? "exit \(result.status)"
        throw BundleError.cannotExport(
          reason: "pip could not get the \(id.rawValue) wheels for Python \(python) on \(platform.rawValue): \(last)")
      }
      if wheelhouse != nil {
        guard let data = context.files.contents(report),
          let installs = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["install"] as? [[String: Any]]
        else { throw BundleError.cannotExport(reason: "pip wrote no report of the \(id.rawValue) wheels") }
        for item in installs {
          let info = item["download_info"] as? [String: Any]
          guard let url = (info?["url"] as? String).flatMap(URL.init(string:)), url.isFileURL else { continue }
          let sha256 = ((info?["archive_info"] as? [String: Any])?["hashes"] as? [String: Any])?["sha256"] as? String
          found.append((url.path, sha256))
        }
      }
    }
    if wheelhouse == nil {
      found = files(under: folder).filter { $0.hasSuffix(".whl") }.map { (folder + "/" + $0, nil) }
    }
    return found
  }
}
