import Foundation
import SynapseLocalSystem

/// `install`: provisions the runtimes a plan needs under the runtime home, verified, and pins them
/// in the project's lock. Runtime ids (`llama.cpp`, `vllm`, `embedding`, `postgresql`) or service
/// names (`llm` is the plan's engine, `embedding`, `db`) choose what; with none, what the project
/// needs, or outside a project llama.cpp, the embedding runtime and PostgreSQL.
public struct RuntimeInstaller: Sendable {
  public struct Options: Sendable {
    public var force = false
    public var update = false
    public var build = false
    public var variant: String?
    public var from: String?
    public var sha256: String?
    public var wheelhouse: String?
    public var torchIndex: String?
    /// The SHA-256 of torch's wheel from `torchIndex`.
    public var torchSHA256: String?
    /// The project folder (nil: not in a project).
    public var project: String?

    public init() {}
  }

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  public var home: RuntimeHome { RuntimeHome(environment: context.environment) }

  /// The runtimes named (ids or services), or the defaults for the project or for no project.
  public func targets(_ names: [String], project: String?) throws -> [RuntimeID] {
    let configuration = try project.map { try ProjectFile.load(project: $0, environment: context.environment, files: context.files) }
    let engine = configuration?.engine ?? .llamaCpp
    if names.isEmpty {
      // A project's own runtimes; with none, every default one.
      guard let configuration else { return [.llamaCpp, .embedding, .postgresql] }
      let needed = RuntimeResolver.needed(configuration)
      return [RuntimeID.llamaCpp, .vllm, .embedding, .postgresql].filter(needed.contains)
    }
    var ids: [RuntimeID] = []
    for name in names {
      let id: RuntimeID
      switch name {
      case "llm": id = engine == .vllm ? .vllm : .llamaCpp
      case "db": id = .postgresql
      case "backend", "frontend":
        throw RuntimeError.unknownRuntime(name + " (Node and the app's package manager are checked by `up`, not installed)")
      default:
        guard let known = RuntimeID(rawValue: name) else { throw RuntimeError.unknownRuntime(name) }
        id = known
      }
      if !ids.contains(id) { ids.append(id) }
    }
    return ids
  }

  /// Installs each runtime (or finds it installed) and pins it in the project's lock.
  public func install(_ ids: [RuntimeID], options: Options) async throws -> [RuntimeInstallOutcome] {
    if options.from != nil, let other = ids.first(where: { $0 != .llamaCpp }) { throw RuntimeError.fromNeedsArchiveRuntime(other.rawValue) }
    if let wheelhouse = options.wheelhouse, !context.files.isDirectory(wheelhouse) { throw RuntimeError.wheelhouseMissing(wheelhouse) }
    let platform = try Platform.current()
    let lockPath = options.project.map { $0 + "/" + ProjectLock.fileName }
    var lock = try lockPath.map { try ProjectLock.load($0, files: context.files) }
    var outcomes: [RuntimeInstallOutcome] = []
    for id in ids {
      let outcome = try await installOne(id, platform: platform, pinned: lock?.runtime(id, platform: platform), options: options)
      outcomes.append(outcome)
      // A system PostgreSQL is this machine's, not a version a lock can carry elsewhere.
      if outcome.manifest.source != RuntimeManifest.systemSource, let path = lockPath, var pins = lock {
        pins.record(outcome.manifest.pin)
        try pins.save(path, files: context.files)
        lock = pins
        try RuntimeLockRegistry(home: home, files: context.files).register(path)
      }
    }
    return outcomes
  }

  /// The llama.cpp build `install` would take for `platform` (default: this machine's) on this
  /// machine's GPUs, or the `variant` asked for; nothing is downloaded.
  public func plan(platform asked: Platform?, variant: String?) async throws -> LlamaCppPlan {
    let platform = try asked ?? Platform.current()
    let profiles = try context.resources.locate(.profiles)
    let releases = try EngineReleases.load(profiles + "/" + EngineReleases.fileName, files: context.files)
    let hardware = try await HardwareDetector.detect(context)
    let choice =
      variant.map { LlamaCppVariantChoice(variant: $0, reason: "asked for (--variant)") }
      ?? LlamaCppVariantChoice.choose(releases: releases, platform: platform, hardware: hardware, devices: .read(context.system))
    return try LlamaCppPlan(releases: releases, platform: platform, choice: choice)
  }

  /// The vLLM line `install vllm` would take for `platform` (default: this machine's) on this
  /// machine's GPUs and driver; nothing is downloaded. A machine no line fits is refused.
  public func planVLLM(platform asked: Platform?) async throws -> VLLMLineChoice {
    let platform = try asked ?? Platform.current()
    let profiles = try context.resources.locate(.profiles)
    let lines = try VLLMLines.load(profiles + "/" + EngineReleases.fileName, files: context.files)
    return try VLLMLineChoice.choose(lines: lines, platform: platform, hardware: try await HardwareDetector.detect(context))
  }

  /// The pinned vLLM line to install, with the reason. A refusal says so before pip runs; with
  /// `force`, the platform's pinned line is installed anyway (a line only another index serves,
  /// which nothing here pins, never is).
  func vllmLine(profiles: String, platform: Platform, hardware: HardwareReport, force: Bool) throws -> (
    requirements: String?, reason: String
  ) {
    let lines = try VLLMLines.load(profiles + "/" + EngineReleases.fileName, files: context.files)
    let pinned = VLLMLineChoice.forced(lines: lines, platform: platform)
    let refusal: String
    do {
      let chosen = try VLLMLineChoice.choose(lines: lines, platform: platform, hardware: hardware)
      if let requirements = chosen.requirements { return (requirements, "vLLM \(chosen.line): \(chosen.reason)") }
      refusal = chosen.reason
    } catch {
      refusal = error.description
    }
    // A platform engines.yaml names no line for keeps the one requirement file there is.
    let fallback = lines.lines(for: platform).isEmpty ? "runtimes/\(RuntimeID.vllm.rawValue).txt" : nil
    guard force, let file = pinned?.requirements ?? fallback else {
      let override = pinned != nil || fallback != nil ? " (--force installs the pinned wheels anyway)" : ""
      throw RuntimeError.vllmRefused(refusal + override)
    }
    context.output.warning("installing vLLM although \(refusal) (--force)")
    return (file, "installed with --force although \(refusal)")
  }

  /// Pins runtimes already installed under the home (those `up` chose for the plan with no pin) in
  /// the project's lock, as an install would have.
  public func pin(_ manifests: [RuntimeManifest], project: String) throws {
    let path = project + "/" + ProjectLock.fileName
    var lock = try ProjectLock.load(path, files: context.files)
    for manifest in manifests where manifest.source != RuntimeManifest.systemSource { lock.record(manifest.pin) }
    try lock.save(path, files: context.files)
    try RuntimeLockRegistry(home: home, files: context.files).register(path)
  }

  func installOne(_ id: RuntimeID, platform: Platform, pinned: ProjectLock.RuntimePin?, options: Options) async throws
    -> RuntimeInstallOutcome
  {
    let profiles = try context.resources.locate(.profiles)
    switch id {
    case .llamaCpp:
      let releases = try EngineReleases.load(profiles + "/" + EngineReleases.fileName, files: context.files)
      var installer = LlamaCppInstaller(context: context, home: home, releases: releases, platform: platform)
      let output = context.output
      installer.progress = { name, done, total in output.progress(name, done: done, total: total) }
      let hardware = try await HardwareDetector.detect(context)
      let hasGPU = !EnginePlanner(hardware: hardware, ramBudget: 0).llamaCppGPUs.isEmpty
      let decision = LlamaCppBuild.decide(requested: options.build, hasGPU: hasGPU, nvcc: context.findExecutable("nvcc"))
      if decision == .build, options.from == nil {
        return try await installer.build(pinned: pinned, force: options.force, jobs: hardware.cpu.effectiveCores)
      }
      // No --variant, no pin and no file: the build this machine's GPU needs, with the reason.
      var variant = options.variant
      var chosen: LlamaCppVariantChoice?
      if variant == nil, pinned == nil || options.update, options.from == nil {
        chosen = LlamaCppVariantChoice.choose(
          releases: releases, platform: platform, hardware: hardware, devices: .read(context.system))
        variant = chosen?.variant
      }
      var outcome = try await installer.install(
        .init(
          variant: variant, pinned: pinned, update: options.update, force: options.force, from: options.from, sha256: options.sha256))
      if let chosen, outcome.installedNow { outcome.notes.append("llama.cpp \(chosen.variant): \(chosen.reason)") }
      if case .release(let note?) = decision { outcome.notes.append(note) }
      return outcome
    case .vllm:
      // The CUDA line is decided before pip runs: an old driver or a GPU without kernels is refused.
      let hardware = try await HardwareDetector.detect(context)
      var request = pythonRequest(pinned, options)
      let line = try vllmLine(profiles: profiles, platform: platform, hardware: hardware, force: options.force)
      request.requirementsFile = line.requirements
      request.reason = line.reason
      return try await python(profiles, platform).install(.vllm, request: request)
    case .embedding:
      var request = pythonRequest(pinned, options)
      request.embeddingCheck = embeddingCheck(project: options.project)
      var outcome = try await python(profiles, platform).install(.embedding, request: request)
      if request.embeddingCheck == nil && outcome.installedNow {
        outcome.notes.append(
          "checked by importing sentence-transformers; inside a project, the project's embedding model is loaded as well")
      }
      return outcome
    case .postgresql:
      var request = pythonRequest(pinned, options)
      if pinned == nil {
        switch await SystemPostgres(context: context).find() {
        case .usable(let bin, let major):
          return try systemPostgres(bin: bin, major: major, platform: platform)
        case .unusable(let reason):
          request.reason = reason + "; so the pgserver wheel (PostgreSQL with pgvector) is installed"
        }
      } else {
        request.reason = "pinned by the project's lock"
      }
      return try await python(profiles, platform).install(.postgresql, request: request)
    }
  }

  func python(_ profiles: String, _ platform: Platform) -> PythonRuntimeInstaller {
    PythonRuntimeInstaller(context: context, home: home, platform: platform, profiles: profiles)
  }

  func pythonRequest(_ pinned: ProjectLock.RuntimePin?, _ options: Options) -> PythonRuntimeInstaller.Request {
    PythonRuntimeInstaller.Request(
      pinned: pinned, update: options.update, force: options.force, wheelhouse: options.wheelhouse, torchIndex: options.torchIndex,
      torchSHA256: options.torchSHA256)
  }

  /// The system's PostgreSQL, recorded so `install --list` says it was chosen and why.
  func systemPostgres(bin: String, major: Int, platform: Platform) throws -> RuntimeInstallOutcome {
    let folder = home.folder(.postgresql, version: String(major), variant: "system", platform: platform)
    if let existing = RuntimeManifest.read(folder: folder, files: context.files), existing.executable == bin {
      return RuntimeInstallOutcome(manifest: existing, installedNow: false)
    }
    try context.files.createDirectory(folder)
    let manifest = RuntimeManifest(
      id: .postgresql, version: String(major), variant: "system", platform: platform, path: bin, executable: bin, sha256: nil,
      source: RuntimeManifest.systemSource, installed: context.time.now,
      reason: "the system's PostgreSQL \(major) in \(bin) has pgvector: used as it is")
    try manifest.write(into: folder, files: context.files)
    return RuntimeInstallOutcome(manifest: manifest, installedNow: true)
  }

  /// The project's embedding model from the store, and its vector size, when it is there.
  func embeddingCheck(project: String?) -> (folder: String, dimensions: Int)? {
    guard let project, let configuration = try? ProjectFile.load(project: project, environment: context.environment, files: context.files),
      let catalog = try? context.resources.loadCatalog()
    else { return nil }
    let lock = try? ProjectLock.load(project + "/" + ProjectLock.fileName, files: context.files)
    let store = configuration.storeRoot(project: project, environment: context.environment)
    let resolver = ModelResolver(
      catalog: catalog, cache: HubCache(root: store, files: context.files), lock: lock, project: project, environment: context.environment,
      files: context.files)
    guard let resolved = try? resolver.resolve(configuration.embedding.model, role: .embedding, engine: configuration.engine) else {
      return nil
    }
    return (resolved.hostPath, configuration.embedding.dimensions)
  }

  /// Every runtime installed under the home.
  public func list() -> [RuntimeInventory.Installed] {
    RuntimeInventory(home: home, files: context.files).list()
  }
}
