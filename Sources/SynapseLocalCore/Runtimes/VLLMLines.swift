import Foundation
import SynapseLocalSystem
import Yams

/// engines.yaml's `vllm:` section: the CUDA lines vLLM's wheels (and the torch they need) come
/// in, per platform. A line is *pinned* when a requirement file under `profiles/` pins its whole
/// closure with hashes (PyPI's default wheels: `runtimes/vllm.txt`); a line whose wheels come from
/// another index (vLLM's or PyTorch's own) names that index and is not pinned here, so `install`
/// refuses it with the reason instead of installing bytes nothing vouches for.
public struct VLLMLines: Codable, Sendable, Equatable {
  public struct Line: Codable, Sendable, Equatable {
    /// `cu128`: the name vLLM's and PyTorch's indexes use.
    public var name: String
    public var platform: Platform
    /// The CUDA version the wheels are built with.
    public var cuda: String
    /// The requirement file that pins the line, relative to the profiles folder; nil: not pinned here.
    public var requirements: String?
    /// The index the line's wheels come from; nil: PyPI (or a wheelhouse made from it).
    public var index: String?
    /// The oldest driver that runs the line (through CUDA's minor-version compatibility).
    public var minDriver: String
    /// The oldest driver that runs the line's CUDA natively, where that is newer.
    public var nativeDriver: String?
    /// The compute capabilities the wheels carry kernels for; a GPU of X.Y runs a build for X.Z
    /// with Z ≤ Y (NVIDIA's binary compatibility within a major version). Nil: not known here.
    public var compute: [String]?
    /// What else to know about the line (why it comes from another index).
    public var note: String?

    enum CodingKeys: String, CodingKey {
      case name, platform, cuda, requirements, index, compute, note
      case minDriver = "min_driver"
      case nativeDriver = "native_driver"
    }

    public var pinned: Bool { requirements != nil }
  }

  public var version: String
  public var lines: [Line]

  /// engines.yaml as a whole: only its `vllm:` section is read here.
  struct File: Decodable {
    var vllm: VLLMLines?
  }

  /// The lines for one platform, in engines.yaml's order (the first that fits wins).
  public func lines(for platform: Platform) -> [Line] {
    lines.filter { $0.platform == platform }
  }

  /// Read from engines.yaml (`vllm:`); a file without the section has no lines.
  public static func load(_ path: String, files: any FileSystem) throws -> VLLMLines {
    guard let data = files.contents(path) else { throw RuntimeError.unreadableProfile(path: path, reason: "it does not exist") }
    let decoded: VLLMLines?
    do {
      decoded = try YAMLDecoder().decode(File.self, from: String(decoding: data, as: UTF8.self)).vllm
    } catch {
      throw RuntimeError.unreadableProfile(path: path, reason: "vllm: \(error)")
    }
    guard let lines = decoded else { return VLLMLines(version: "", lines: []) }
    for line in lines.lines {
      if let requirements = line.requirements, !Self.isRelativePath(requirements) {
        throw RuntimeError.unreadableProfile(
          path: path, reason: "vllm line \(line.name): requirements must be a path inside the profiles folder, not \(requirements)")
      }
      if line.requirements == nil && line.index == nil {
        throw RuntimeError.unreadableProfile(
          path: path, reason: "vllm line \(line.name) for \(line.platform.rawValue) names neither a requirement file nor an index")
      }
      let versions = [line.cuda, line.minDriver] + [line.nativeDriver].compactMap { $0 } + (line.compute ?? [])
      if let bad = versions.first(where: { !Self.isVersion($0) }) {
        throw RuntimeError.unreadableProfile(path: path, reason: "vllm line \(line.name): \(bad) is not a dotted version")
      }
    }
    return lines
  }

  /// `runtimes/vllm.txt`: relative, no `..`, no empty part.
  static func isRelativePath(_ path: String) -> Bool {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    return !path.hasPrefix("/") && !parts.isEmpty && parts.allSatisfy { PathSafety.isName(String($0)) }
  }

  /// `12.8`, `525.60.13`.
  static func isVersion(_ text: String) -> Bool {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    return !parts.isEmpty && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
  }
}
