import Foundation

/// A Python runtime's pinned requirements (`profiles/runtimes/<id>.txt`): its hash names the
/// runtime's folder and goes into the lock, so a changed set is a new runtime, never an edit of one
/// in use.
public struct RequirementSet: Sendable, Equatable {
  public var id: RuntimeID
  public var path: String
  public var text: String

  public static func load(_ id: RuntimeID, profiles: String, files: any FileSystem = RootedFileSystem()) throws -> RequirementSet {
    let path = "\(profiles)/runtimes/\(id.rawValue).txt"
    guard let data = files.contents(path) else { throw RuntimeError.unreadableProfile(path: path, reason: "it does not exist") }
    return RequirementSet(id: id, path: path, text: String(decoding: data, as: UTF8.self))
  }

  /// SHA-256 of the file's bytes.
  public var hash: String { Digest.hex(.sha256, Array(text.utf8)) }

  /// The runtime's version: the hash's first 12 digits.
  public var version: String { String(hash.prefix(12)) }

  /// The `name==version` lines, comments and blank lines dropped.
  public var requirements: [String] {
    text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
  }

  /// For a mirror of PyTorch's CPU index: torch's CPU build (`+cpu`), without the CUDA libraries
  /// PyPI's Linux build pulls in.
  public func forCPUTorchIndex() -> [String] {
    requirements.compactMap { line in
      let name = line.split(separator: "=").first.map { $0.lowercased() } ?? ""
      if name.hasPrefix("nvidia-") || name.hasPrefix("cuda-") || name == "triton" { return nil }
      if name == "torch", let range = line.range(of: "==") {
        let version = line[range.upperBound...].split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return "torch==\(version)+cpu"
      }
      return line
    }
  }
}
