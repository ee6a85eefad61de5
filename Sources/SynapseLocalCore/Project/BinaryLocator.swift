import Foundation
import SynapseLocalSystem

/// Applies the programs' environment variables (SYNAPSE_LOCAL_LLAMA_SERVER and the others) and looks
/// a bare name up in PATH. Which program runs is RuntimeResolver's decision.
public struct BinaryLocator: Sendable {
  public var environment: [String: String]
  /// Where PATH's folders are looked in.
  public var files: any FileSystem
  public var isExecutable: @Sendable (String) -> Bool

  /// `isExecutable` defaults to asking `files`.
  public init(
    environment: [String: String], files: any FileSystem, isExecutable: (@Sendable (String) -> Bool)? = nil
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
    if let path = value("SYNAPSE_LOCAL_NODE") { result.node = path }
    return result
  }
}
