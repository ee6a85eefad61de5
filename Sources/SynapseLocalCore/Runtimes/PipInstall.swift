import Foundation
import SynapseLocalSystem

/// The pip command lines that fill a Python runtime's environment. Binary wheels only; hashes
/// required whenever the requirement file pins them, so neither an index nor a wheelhouse can
/// serve other bytes under a pinned name.
enum PipInstall {
  static let common = ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet", "--only-binary=:all:"]

  /// The requirement set, from the wheelhouse alone or from the index pip is configured with.
  static func arguments(requirementsFile: String, id: RuntimeID, wheelhouse: String?, requireHashes: Bool) -> [String] {
    var arguments = common
    if requireHashes { arguments.append("--require-hashes") }
    if let wheelhouse { arguments += ["--no-index", "--find-links", wheelhouse] }
    if id == .postgresql { arguments.append("--no-deps") }
    return arguments + ["-r", requirementsFile]
  }

  /// torch alone, from the PyTorch index as the only index (an extra index would let any package
  /// come from either), or from the wheelhouse. Its dependencies come with the rest, hashed.
  static func torchArguments(requirementsFile: String, index: String, wheelhouse: String?, requireHashes: Bool) -> [String] {
    var arguments = common + ["--no-deps"]
    if requireHashes { arguments.append("--require-hashes") }
    arguments += wheelhouse.map { ["--no-index", "--find-links", $0] } ?? ["--index-url", index]
    return arguments + ["-r", requirementsFile]
  }
}
