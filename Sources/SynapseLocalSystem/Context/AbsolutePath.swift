import Foundation

/// Paths written into generated files must not depend on the folder a command ran in: Compose
/// resolves relative ones against the compose file's folder, other tools against theirs.
public enum AbsolutePath {
  /// `path` with `~` expanded, relative to `base` unless already absolute, `.` and `..` resolved.
  public static func resolve(_ path: String, relativeTo base: String, environment: [String: String]) -> String {
    let expanded = expandTilde(path, environment)
    let joined = expanded.hasPrefix("/") ? expanded : base + "/" + expanded
    return URL(fileURLWithPath: joined).standardizedFileURL.path
  }

  /// `~` and `~/…` from `HOME` (root's home when it is unset or empty).
  public static func expandTilde(_ path: String, _ environment: [String: String]) -> String {
    guard path == "~" || path.hasPrefix("~/") else { return path }
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root"
    return home + path.dropFirst()
  }

  /// The current directory, for paths given on the command line.
  public static var currentDirectory: String { FileManager.default.currentDirectoryPath }
}
