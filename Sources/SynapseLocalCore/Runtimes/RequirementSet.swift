import Foundation
import SynapseLocalSystem

/// A Python runtime's pinned requirements (`profiles/runtimes/<id>.txt`): its hash names the
/// runtime's folder and goes into the lock, so a changed set is a new runtime, never an edit of one
/// in use.
public struct RequirementSet: Sendable, Equatable {
  public var id: RuntimeID
  public var path: String
  public var text: String

  /// `file`: the requirement file relative to `profiles` (a vLLM line's); default `runtimes/<id>.txt`.
  public static func load(_ id: RuntimeID, profiles: String, file: String? = nil, files: any FileSystem) throws
    -> RequirementSet
  {
    let path = "\(profiles)/\(file ?? "runtimes/\(id.rawValue).txt")"
    guard let data = files.contents(path) else { throw RuntimeError.unreadableProfile(path: path, reason: "it does not exist") }
    return RequirementSet(id: id, path: path, text: String(decoding: data, as: UTF8.self))
  }

  /// SHA-256 of the file's bytes.
  public var hash: String { Digest.hex(.sha256, Array(text.utf8)) }

  /// The runtime's version: the hash's first 12 digits.
  public var version: String { String(hash.prefix(12)) }

  /// The requirements, one logical line each (`name==version[; marker] --hash=sha256:...`): a
  /// trailing backslash continues a line, as pip reads it; comments and blank lines dropped.
  public var requirements: [String] {
    var lines: [String] = []
    var pending = ""
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      var line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      let continues = line.hasSuffix("\\")
      if continues { line = String(line.dropLast()).trimmingCharacters(in: .whitespaces) }
      if pending.isEmpty && line.hasPrefix("#") { continue }
      pending += pending.isEmpty || line.isEmpty ? line : " " + line
      if !continues {
        if !pending.isEmpty { lines.append(pending) }
        pending = ""
      }
    }
    if !pending.isEmpty { lines.append(pending) }
    return lines
  }

  /// Whether the file pins hashes: pip is then told to require one for every requirement, so an
  /// index or a wheelhouse can serve only the bytes pinned here.
  public var pinsHashes: Bool { requirements.contains { $0.contains("--hash=") } }

  /// A requirement line's project name, normalised as pip compares them (`Typing_Extensions` is
  /// `typing-extensions`).
  public static func name(of line: String) -> String {
    let name = line.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
    return name.lowercased().replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: ".", with: "-")
  }

  /// For a PyTorch CPU index: torch's CPU build (`torch==<pinned>+cpu`), installed alone from that
  /// index, and the rest without torch and the CUDA libraries only PyPI's Linux torch pulls in.
  public func forCPUTorchIndex() -> (torch: String?, rest: [String]) {
    var torch: String?
    var rest: [String] = []
    for line in requirements {
      let name = Self.name(of: line)
      if name.hasPrefix("nvidia-") || name.hasPrefix("cuda-") || name == "triton" { continue }
      if name == "torch", let range = line.range(of: "==") {
        let version = line[range.upperBound...].prefix { !$0.isWhitespace && $0 != ";" }
        torch = "torch==\(version)+cpu"
        continue
      }
      rest.append(line)
    }
    return (torch, rest)
  }
}
