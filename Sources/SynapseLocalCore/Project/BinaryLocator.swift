import Foundation

/// Finds the programs the stack runs: the environment variable first (SYNAPSE_LOCAL_LLAMA_SERVER
/// and the others), then the value given, looked up in PATH when it is a bare name.
public struct BinaryLocator: Sendable {
  public var environment: [String: String]
  /// Where PATH's folders and Debian's PostgreSQL versions are looked in.
  public var files: any FileSystem
  public var isExecutable: @Sendable (String) -> Bool

  /// `isExecutable` defaults to asking `files`.
  public init(
    environment: [String: String], files: any FileSystem = RootedFileSystem(), isExecutable: (@Sendable (String) -> Bool)? = nil
  ) {
    self.environment = environment
    self.files = files
    self.isExecutable = isExecutable ?? { files.isExecutable($0) }
  }

  /// The executable `name` names: itself when it is a path, else the first match in PATH.
  public func resolve(_ name: String) -> String? {
    if name.contains("/") { return isExecutable(name) ? name : nil }
    for folder in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !folder.isEmpty {
      let candidate = "\(folder)/\(name)"
      if isExecutable(candidate) { return candidate }
    }
    return nil
  }

  /// The binaries with their environment overrides applied.
  public func applyingOverrides(to binaries: ProjectConfiguration.Binaries) -> ProjectConfiguration.Binaries {
    var result = binaries
    func value(_ variable: String) -> String? { environment[variable].flatMap { $0.isEmpty ? nil : $0 } }
    if let path = value("SYNAPSE_LOCAL_LLAMA_SERVER") { result.llamaServer = path }
    if let path = value("SYNAPSE_LOCAL_VLLM") { result.vllm = path }
    if let path = value("SYNAPSE_LOCAL_PYTHON") { result.python = path }
    if let path = value("SYNAPSE_LOCAL_PG_BIN") { result.pgBin = path }
    return result
  }

  /// The newest `/usr/lib/postgresql/N/bin` with a `postgres` in it (Debian's layout), if any.
  public func debianPostgresBin(root: String = "/usr/lib/postgresql") -> String? {
    let versions = (files.list(root) ?? []).compactMap(Int.init).sorted(by: >)
    return versions.map { "\(root)/\($0)/bin" }.first { isExecutable($0 + "/postgres") }
  }

  /// What is missing for the native stack, as (key, message); `engine` decides which server counts.
  public func problems(_ binaries: ProjectConfiguration.Binaries, engine: Engine) -> [(key: String, message: String)] {
    var found: [(String, String)] = []
    let server =
      engine == .vllm
      ? ("binaries.vllm", binaries.vllm, "SYNAPSE_LOCAL_VLLM", "install vLLM (pip install vllm)")
      : ("binaries.llama_server", binaries.llamaServer, "SYNAPSE_LOCAL_LLAMA_SERVER", "install llama.cpp's llama-server")
    if resolve(server.1) == nil {
      found.append((server.0, "\(server.1) is not an executable here (not found in PATH); \(server.3) or set \(server.2)"))
    }
    if resolve(binaries.python) == nil {
      found.append(
        (
          "binaries.python",
          "\(binaries.python) is not an executable here; install Python 3 with flask and sentence-transformers or set SYNAPSE_LOCAL_PYTHON"
        ))
    }
    if !isExecutable(binaries.pgBin + "/postgres") {
      found.append(
        (
          "binaries.pg_bin",
          "\(binaries.pgBin) has no postgres; install PostgreSQL with pgvector or set SYNAPSE_LOCAL_PG_BIN to its bin folder"
        ))
    }
    return found
  }
}
