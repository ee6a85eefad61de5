import Foundation
import SynapseLocalSystem

/// The Python runtimes, each a virtual environment made with the machine's `python3` from a pinned
/// requirement set: `embedding` (sentence-transformers and flask), `postgresql` (the wheel that
/// bundles PostgreSQL with pgvector, used when the system has no suitable one) and `vllm`.
///
/// A virtual environment cannot be renamed (its scripts name their own path), so it is built in
/// its final folder and counts as installed only once verified and its `runtime.json` written;
/// a failed build is removed, and an install it replaces (`--force`) is put back.
struct PythonRuntimeInstaller: Sendable {
  var context: Context
  var home: RuntimeHome
  var platform: Platform
  var profiles: String

  struct Request: Sendable {
    var pinned: ProjectLock.RuntimePin?
    var update = false
    var force = false
    /// Install from these wheels only, with no index.
    var wheelhouse: String?
    /// A mirror of PyTorch's CPU index, for torch.
    var torchIndex: String?
    /// The SHA-256 of the CPU torch wheel, which no requirement file can pin (see `build`).
    var torchSHA256: String?
    /// The embedding model to load as the embedding runtime's check, and its vector size.
    var embeddingCheck: (folder: String, dimensions: Int)?
    /// Why this runtime is installed (the PostgreSQL wheel: why the system's is not used).
    var reason: String?
    /// The requirement file, relative to the profiles folder (the vLLM line's); nil: `runtimes/<id>.txt`.
    var requirementsFile: String?
  }

  static let minimumPython = (3, 10)

  func variant(_ id: RuntimeID, _ request: Request) -> String {
    switch id {
    case .postgresql: "pgserver"
    case .vllm: "cuda"
    default: request.torchIndex == nil ? "pypi" : "cpu"
    }
  }

  func install(_ id: RuntimeID, request: Request) async throws -> RuntimeInstallOutcome {
    let requirements = try RequirementSet.load(id, profiles: profiles, file: request.requirementsFile, files: context.files)
    if let pinned = request.pinned?.requirements, pinned != requirements.hash, !request.update {
      throw RuntimeError.pinMismatch(id: id.rawValue, platform: platform.rawValue, pinned: pinned, found: requirements.hash)
    }
    let variant = variant(id, request)
    let folder = home.folder(id, version: requirements.version, variant: variant, platform: platform)
    if !request.force, let existing = RuntimeManifest.read(folder: folder, files: context.files) {
      return RuntimeInstallOutcome(manifest: existing, installedNow: false)
    }
    let python = try await findPython()
    let placement = RuntimePlacement(home: home, files: context.files)
    let staging = try placement.makeStaging(id)
    defer { placement.discard(staging) }
    var notes: [String] = []
    // PostgreSQL runs as an unprivileged user under root: its runtime must be reachable by it.
    let target = try reachableFolder(for: id, folder: folder)
    if target != folder { notes.append("PostgreSQL runs as 'nobody', which cannot enter \(home.path): the runtime is in \(target)") }
    // An earlier install (a --force, or one that never finished) is moved aside, beside itself so a
    // relocated one stays on its file system, and put back if this one fails. For a relocated
    // runtime both the link in the home and the folder it names go aside.
    let aside = try SetAside([folder, target], files: context.files)
    do {
      try await build(target, python: python, requirements: requirements, staging: staging, id: id, request: request)
      let executable = try executable(id, in: target)
      try await verify(id, executable: executable, environment: target, request: request)
      let manifest = RuntimeManifest(
        id: id, version: requirements.version, variant: variant, platform: platform, path: target, executable: executable,
        sha256: requirements.hash, source: request.wheelhouse ?? request.torchIndex.map { "PyPI, torch from \($0)" } ?? "PyPI",
        installed: context.time.now, reason: request.reason)
      try manifest.write(into: target, files: context.files)
      if target != folder {
        try context.files.createDirectory((folder as NSString).deletingLastPathComponent)
        // Nothing stands there: what did was set aside.
        try context.files.createLink(folder, to: target)
      }
      aside.discard()
      return RuntimeInstallOutcome(manifest: manifest, installedNow: true, notes: notes)
    } catch {
      try? context.files.remove(target)
      if target != folder { try? context.files.remove(folder) }
      aside.restore()
      throw error
    }
  }

  /// Paths moved out of the way (renamed to `<path>.previous`), to be put back or removed.
  struct SetAside {
    private let files: any FileSystem
    private var moved: [String] = []

    init(_ paths: [String], files: any FileSystem) throws {
      self.files = files
      // Present as a folder, a file or a link (a dangling one too).
      for path in paths where !moved.contains(path) && files.entry(path) != nil {
        try? files.remove(path + ".previous")
        do {
          try files.move(path, to: path + ".previous")
        } catch {
          restore()
          throw ArchiveError.unwritable(path: path, reason: ArchiveSource.reason(error))
        }
        moved.append(path)
      }
    }

    func restore() {
      for path in moved { try? files.move(path + ".previous", to: path) }
    }

    func discard() {
      for path in moved { try? files.remove(path + ".previous") }
    }
  }

  /// `python3` from PATH, 3.10 or newer.
  func findPython() async throws -> String {
    guard let python = context.findExecutable("python3") else { throw RuntimeError.pythonMissing }
    let result = try await context.processes.run(
      python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], timeout: .seconds(30))
    let version = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let parts = version.split(separator: ".").compactMap { Int($0) }
    guard result.status == 0, parts.count == 2 else { throw RuntimeError.pythonMissing }
    guard (parts[0], parts[1]) >= Self.minimumPython else { throw RuntimeError.pythonTooOld(path: python, version: version) }
    return python
  }

  /// The environment's folder: the home's, unless PostgreSQL's unprivileged user could not enter it.
  func reachableFolder(for id: RuntimeID, folder: String) throws -> String {
    guard id == .postgresql, getuid() == 0, PostgresLayout.firstBlockedAncestor(of: folder + "/bin", files: context.files) != nil else {
      return folder
    }
    let base = Self.sharedRuntimes
    try PostgresLayout.claimSharedFolder(base, files: context.files)
    let runtimes = base + "/postgresql"
    do {
      try context.files.createDirectory(runtimes, permissions: 0o755)
    } catch {
      throw ArchiveError.unwritable(path: runtimes, reason: ArchiveSource.reason(error))
    }
    return runtimes + "/" + (folder as NSString).lastPathComponent
  }

  /// Where root keeps runtimes an unprivileged user must reach (as the database's fallback does).
  static let sharedRuntimes = "/var/tmp/synapse-local-runtimes"

  func build(_ target: String, python: String, requirements: RequirementSet, staging: String, id: RuntimeID, request: Request) async throws
  {
    try context.files.createDirectory((target as NSString).deletingLastPathComponent)
    let venv = try await context.processes.run(python, ["-m", "venv", target], timeout: .seconds(300))
    guard venv.status == 0 else {
      let said = (venv.stderr + venv.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
      throw RuntimeError.installFailed(
        id: id.rawValue, command: "\(python) -m venv",
        output: String(said.suffix(300)) + (said.contains("ensurepip") ? " (Debian: apt install python3-venv)" : ""))
    }
    let pip = target + "/bin/python"
    var lines = requirements.requirements
    if !requirements.pinsHashes {
      context.output.warning("\(requirements.path) pins no hashes: pip installs whatever bytes the index serves under its versions")
    }
    if id == .embedding, let torchIndex = request.torchIndex {
      let split = requirements.forCPUTorchIndex()
      lines = split.rest
      if let torch = split.torch {
        // PyTorch's CPU wheels are not on PyPI, so no requirement file here can carry their hash.
        if request.torchSHA256 == nil {
          context.output.warning(
            "\(torch) from \(request.wheelhouse ?? torchIndex) is not checked against a pinned hash (PyTorch's CPU index is not PyPI); pass --torch-sha256 HEX to pin it"
          )
        }
        let file = staging + "/torch.txt"
        try context.files.write(torch + (request.torchSHA256.map { " --hash=sha256:\($0)" } ?? "") + "\n", to: file)
        context.output.line("installing \(id.rawValue): pip install \(torch) from \(request.wheelhouse ?? torchIndex)")
        let arguments = PipInstall.torchArguments(
          requirementsFile: file, index: torchIndex, wheelhouse: request.wheelhouse, requireHashes: request.torchSHA256 != nil)
        try await runPip(pip, arguments, id: id, command: "pip install \(torch)", pins: "--torch-sha256")
      }
    }
    let file = staging + "/requirements.txt"
    try context.files.write(lines.joined(separator: "\n") + "\n", to: file)
    let arguments = PipInstall.arguments(
      requirementsFile: file, id: id, wheelhouse: request.wheelhouse, requireHashes: requirements.pinsHashes)
    // The size first: PyPI's torch brings gigabytes of CUDA libraries a CPU-only machine never uses.
    let download = RuntimeDownload.of(lines, wheelhouse: request.wheelhouse, files: context.files)
    context.output.line(
      "installing \(id.rawValue): pip install -r \(requirements.path)\(request.wheelhouse.map { " from \($0)" } ?? ""): \(download.summary)"
    )
    if id == .embedding, download.gpuPackages > 0 {
      context.output.line(
        "  without an NVIDIA GPU, PyTorch's CPU build is a fraction of that: synapse-local install embedding --force --torch-index https://download.pytorch.org/whl/cpu (or a mirror of it)"
      )
    }
    try await runPip(pip, arguments, id: id, command: "pip install -r \(requirements.path)", pins: requirements.path)
  }

  /// Runs pip; a file whose hash was not pinned (in `pins`) is named in the error.
  func runPip(_ python: String, _ arguments: [String], id: RuntimeID, command: String, pins: String) async throws {
    let pip = try await context.processes.run(python, arguments, timeout: .seconds(3600))
    guard pip.status == 0 else {
      let said = (pip.stderr + pip.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
      if let mismatch = PipHashMismatch(pipOutput: said) {
        throw RuntimeError.hashMismatch(
          id: id.rawValue, requirement: mismatch.requirement, source: mismatch.source, got: mismatch.got, pins: pins)
      }
      throw RuntimeError.installFailed(id: id.rawValue, command: command, output: String(said.suffix(400)))
    }
  }

  /// What `up` runs from the environment: its python, vllm, or PostgreSQL's bin folder.
  func executable(_ id: RuntimeID, in folder: String) throws -> String {
    switch id {
    case .vllm: return folder + "/bin/vllm"
    case .postgresql:
      for version in (context.files.list(folder + "/lib") ?? []).sorted() where version.hasPrefix("python") {
        let bin = "\(folder)/lib/\(version)/site-packages/pgserver/pginstall/bin"
        if context.files.isExecutable(bin + "/postgres") { return bin }
      }
      throw RuntimeError.verificationFailed(id: "postgresql", command: "find pgserver/pginstall/bin", output: "the wheel holds no postgres")
    default: return folder + "/bin/python"
    }
  }

  func verify(_ id: RuntimeID, executable: String, environment: String, request: Request) async throws {
    switch id {
    case .postgresql:
      try await PostgresRuntimeCheck(bin: executable, ports: context.ports, files: context.files, processes: context.processes).run()
    case .vllm:
      let result = try await context.processes.run(executable, ["--version"], timeout: .seconds(120))
      guard result.status == 0 else {
        throw RuntimeError.verificationFailed(id: "vllm", command: "vllm --version", output: String(result.stderr.suffix(300)))
      }
    default:
      let script: String
      var arguments: [String]
      if let check = request.embeddingCheck {
        script = """
          import sys
          from sentence_transformers import SentenceTransformer
          vectors = SentenceTransformer(sys.argv[1], device="cpu").encode(["synapse-local checks the embedding runtime."])
          print(len(vectors[0]))
          """
        arguments = ["-c", script, check.folder]
      } else {
        script = "import flask, sentence_transformers, torch; print(sentence_transformers.__version__)"
        arguments = ["-c", script]
      }
      let result = try await context.processes.run(executable, arguments, timeout: .seconds(600))
      let printed = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
      let command = request.embeddingCheck.map { "embed one sentence with \($0.folder)" } ?? "import sentence_transformers, flask, torch"
      guard result.status == 0 else {
        throw RuntimeError.verificationFailed(
          id: "embedding", command: command, output: String(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).suffix(300)))
      }
      if let check = request.embeddingCheck, printed.split(separator: "\n").last.flatMap({ Int($0) }) != check.dimensions {
        throw RuntimeError.verificationFailed(
          id: "embedding", command: command, output: "a vector of \(printed) dimensions, expected \(check.dimensions)")
      }
    }
  }
}
