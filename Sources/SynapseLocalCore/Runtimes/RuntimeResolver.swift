import Foundation
import SynapseLocalSystem

/// Which program `up` runs for each runtime the plan needs, in this order: the environment variable
/// (SYNAPSE_LOCAL_LLAMA_SERVER and the others); else a `binaries` key the user set; else the runtime
/// the project's lock pins, installed under the runtime home; else the newest runtime installed
/// under the home that suits the plan (`InstalledRuntimeChoice`: one installed with `install --from`
/// before the project existed, say), which `up` then pins; else what PATH has (for PostgreSQL, a
/// system one with pgvector; for the embedding runtime, a python3 that has sentence-transformers
/// and flask). What none of them gives is missing: `up` installs it, or with `--no-install` refuses.
public struct RuntimeResolver: Sendable {
  public var context: Context
  public var platform: Platform

  public init(context: Context, platform: Platform) {
    self.context = context
    self.platform = platform
  }

  public struct Resolution: Sendable, Equatable {
    public var binaries: ProjectConfiguration.Binaries
    /// Where each came from: `environment`, `project file`, `lock`, `installed`, `PATH`.
    public var sources: [RuntimeID: String]
    /// The runtimes taken from the home with no pin (source `installed`): `up` pins them.
    public var installed: [RuntimeID: RuntimeManifest] = [:]
    /// Not found anywhere: `up` installs these.
    public var missing: [RuntimeID]
    /// Chosen by the user (a variable or a key) and not usable: never replaced, reported.
    public var problems: [ProblemKey]
  }

  public struct ProblemKey: Sendable, Equatable {
    public var key: String
    public var message: String
  }

  /// Where the program for `id` came from, as `status` says it: the variable, the project file's
  /// key, the installed runtime the lock pins, the installed runtime chosen for the plan, or PATH.
  public static func origin(_ id: RuntimeID, in resolution: Resolution, lock: ProjectLock?, platform: Platform) -> String? {
    let (key, variable) = Self.key(id)
    switch resolution.sources[id] {
    case "environment": return variable
    case "project file": return key
    case "lock":
      return lock?.runtime(id, platform: platform).map { "runtime \(id.rawValue) \($0.version) (\($0.variant)), pinned by the lock" }
        ?? "an installed runtime"
    case "installed":
      return resolution.installed[id].map {
        "runtime \(id.rawValue) \($0.version) (\($0.variant)), the newest installed that suits the plan"
      } ?? "an installed runtime"
    case "PATH": return "PATH"
    default: return nil
    }
  }

  /// The runtimes a project runs: its engine, and its embedding engine's (llama.cpp serves both
  /// roles with one install).
  public static func needed(_ configuration: ProjectConfiguration) -> [RuntimeID] {
    let llm: RuntimeID = configuration.engine == .vllm ? .vllm : .llamaCpp
    let embedding = configuration.embedding.engine.runtime
    return [.postgresql, llm] + (embedding == llm ? [] : [embedding])
  }

  /// `configuration` as loaded (environment overrides applied); `userSet`: the `binaries.*` keys
  /// the project file has.
  public func resolve(_ configuration: ProjectConfiguration, userSet: Set<String>, lock: ProjectLock?) async -> Resolution {
    var binaries = configuration.binaries
    var sources: [RuntimeID: String] = [:]
    var missing: [RuntimeID] = []
    var problems: [ProblemKey] = []
    var installed: [RuntimeID: RuntimeManifest] = [:]
    let locator = BinaryLocator(environment: context.environment, files: context.files)
    let home = RuntimeHome(environment: context.environment)
    for id in Self.needed(configuration) {
      let (key, variable) = Self.key(id)
      let value = Self.value(id, in: binaries)
      var found: String?
      if let set = context.environment[variable], !set.isEmpty {
        found = id == .postgresql ? set : locator.resolve(set)
        sources[id] = "environment"
      } else if userSet.contains(key) {
        found = id == .postgresql ? value : locator.resolve(value)
        sources[id] = "project file"
      } else if let pin = lock?.runtime(id, platform: platform) {
        found =
          RuntimeInventory(home: home, files: context.files)
          .installed(id, version: pin.version, variant: pin.variant, platform: platform)?.executable
        sources[id] = "lock"
      } else if let manifest = await installedChoice(id, configuration: configuration, home: home) {
        found = manifest.executable
        sources[id] = "installed"
        installed[id] = manifest
      } else {
        found = await onPath(id)
        sources[id] = "PATH"
      }
      if let found, id != .postgresql || context.files.isExecutable(found + "/postgres") {
        Self.set(id, found, in: &binaries)
      } else if sources[id] == "environment" || sources[id] == "project file" {
        let what = id == .postgresql ? "has no postgres" : "is not an executable here (nor found in PATH)"
        let chosen = sources[id] == "environment" ? "\(variable)=\(context.environment[variable] ?? "")" : value
        problems.append(
          ProblemKey(
            key: key,
            message: "\(chosen) \(what); fix it, or remove it (and unset \(variable)) to run the runtime `synapse-local install` provides"))
      } else {
        missing.append(id)
      }
    }
    return Resolution(binaries: binaries, sources: sources, installed: installed, missing: missing, problems: problems)
  }

  /// The newest runtime under the home that suits the plan and passes the check its step would
  /// (PostgreSQL's folder has `postgres`; a program is executable).
  func installedChoice(_ id: RuntimeID, configuration: ProjectConfiguration, home: RuntimeHome) async -> RuntimeManifest? {
    let context = self.context
    let choice = InstalledRuntimeChoice(inventory: RuntimeInventory(home: home, files: context.files), platform: platform) { id in
      guard let profiles = try? context.resources.locate(.profiles) else { return nil }
      return (try? RequirementSet.load(id, profiles: profiles, files: context.files))?.version
    }
    let chosen = await choice.choose(id, gpuLayers: configuration.llm.gpuLayers) {
      guard let hardware = try? await HardwareDetector.detect(context) else { return [] }
      return InstalledRuntimeChoice.gpuKinds(hardware)
    }
    guard let chosen else { return nil }
    return context.files.isExecutable(id == .postgresql ? chosen.executable + "/postgres" : chosen.executable) ? chosen : nil
  }

  /// For `up`: the project's programs, with a chosen program that does not work reported against its
  /// key and line in the project file. `missing` is left to the caller (install, or refuse).
  public func resolve(project: String, configuration: ProjectConfiguration, lines: [String: Int], lock: ProjectLock?) async throws
    -> Resolution
  {
    let resolution = await resolve(configuration, userSet: Set(lines.keys.filter { $0.hasPrefix("binaries.") }), lock: lock)
    if let problem = resolution.problems.first {
      throw ProjectError.invalid([
        ProjectProblem(file: ProjectFile.path(in: project), line: lines[problem.key] ?? 0, key: problem.key, message: problem.message)
      ])
    }
    return resolution
  }

  /// The refusal when runtimes are missing and may not be installed here, with the command to run.
  public static func refusal(_ missing: [RuntimeID], project: String) -> RuntimeError {
    let names = missing.map(\.rawValue)
    return .missingRuntimes(ids: names, command: "synapse-local install \(names.joined(separator: " ")) --project \(project)")
  }

  func onPath(_ id: RuntimeID) async -> String? {
    switch id {
    case .llamaCpp: return context.findExecutable("llama-server")
    case .vllm: return context.findExecutable("vllm")
    case .postgresql:
      if case .usable(let bin, _) = await SystemPostgres(context: context).find() { return bin }
      return nil
    case .embedding:
      guard let python = context.findExecutable("python3") else { return nil }
      let probe = "import importlib.util as u, sys; sys.exit(0 if u.find_spec('sentence_transformers') and u.find_spec('flask') else 1)"
      let result = try? await context.processes.run(python, ["-c", probe], timeout: .seconds(30))
      return result?.status == 0 ? python : nil
    }
  }

  static func key(_ id: RuntimeID) -> (key: String, variable: String) {
    switch id {
    case .llamaCpp: ("binaries.llama_server", "SYNAPSE_LOCAL_LLAMA_SERVER")
    case .vllm: ("binaries.vllm", "SYNAPSE_LOCAL_VLLM")
    case .embedding: ("binaries.python", "SYNAPSE_LOCAL_PYTHON")
    case .postgresql: ("binaries.pg_bin", "SYNAPSE_LOCAL_PG_BIN")
    }
  }

  static func value(_ id: RuntimeID, in binaries: ProjectConfiguration.Binaries) -> String {
    switch id {
    case .llamaCpp: binaries.llamaServer
    case .vllm: binaries.vllm
    case .embedding: binaries.python
    case .postgresql: binaries.pgBin
    }
  }

  static func set(_ id: RuntimeID, _ path: String, in binaries: inout ProjectConfiguration.Binaries) {
    switch id {
    case .llamaCpp: binaries.llamaServer = path
    case .vllm: binaries.vllm = path
    case .embedding: binaries.python = path
    case .postgresql: binaries.pgBin = path
    }
  }
}
