import SynapseLocalSystem

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `--include` / `--exclude` for a whole repository, with huggingface_hub's meaning of
/// `allow_patterns` / `ignore_patterns`: fnmatch globs on the path in the repository (`*` crosses
/// `/`, no backslash escapes), a pattern ending in `/` means everything under that folder, a file
/// is kept when it matches any include (all files when there is none) and no exclude.
public struct FilePatterns: Codable, Sendable, Equatable {
  public var include: [String]
  public var exclude: [String]

  public init(include: [String] = [], exclude: [String] = []) {
    self.include = include
    self.exclude = exclude
  }

  public var isEmpty: Bool { include.isEmpty && exclude.isEmpty }

  public func keeps(_ path: String) -> Bool {
    if !include.isEmpty && !include.contains(where: { Self.matches(path, $0) }) { return false }
    return !exclude.contains { Self.matches(path, $0) }
  }

  static func matches(_ path: String, _ pattern: String) -> Bool {
    let glob = pattern.hasSuffix("/") ? pattern + "*" : pattern
    return fnmatch(glob, path, FNM_NOESCAPE) == 0
  }
}
