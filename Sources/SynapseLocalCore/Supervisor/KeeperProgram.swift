import SynapseLocalSystem

/// The program each service runs under: `synapse-local-keeper`, the keeper in C, where it sits
/// beside the synapse-local binary (SwiftPM builds both into one folder, and a bundle carries
/// both); else the binary's own `keeper` command, which does the same in a Swift process.
enum KeeperProgram {
  static let name = "synapse-local-keeper"

  /// The executable and the arguments that come before the keeper's options.
  static func command(for executable: String, files: any FileSystem) -> (executable: String, prefix: [String]) {
    if executable.hasSuffix("/" + name) || executable == name { return (executable, []) }
    let folder = executable.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    let beside = (folder.isEmpty ? "" : folder + "/") + name
    if executable.contains("/"), files.isExecutable(beside) { return (beside, []) }
    return (executable, ["keeper"])
  }
}
