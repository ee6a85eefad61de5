import Foundation

/// Paths written into generated files must not depend on the folder a command ran in: Compose
/// resolves relative ones against the compose file's folder, other tools against theirs.
public enum AbsolutePath {
  /// `path` with `~` expanded, relative to `base` unless already absolute, `.` and `..` resolved.
  public static func resolve(_ path: String, relativeTo base: String, environment: [String: String]) -> String {
    let expanded = HubCacheLocation.expandTilde(path, environment)
    let joined = expanded.hasPrefix("/") ? expanded : base + "/" + expanded
    return URL(fileURLWithPath: joined).standardizedFileURL.path
  }

  /// The current directory, for paths given on the command line.
  public static var currentDirectory: String { FileManager.default.currentDirectoryPath }
}

extension ProjectConfiguration {
  /// The model store's folder, absolute: `paths.store` (relative to the project), else the
  /// Hugging Face cache the environment names.
  public func storeRoot(project: String, environment: [String: String]) -> String {
    paths.store.isEmpty
      ? AbsolutePath.resolve(HubCacheLocation.path(environment: environment), relativeTo: AbsolutePath.currentDirectory, environment: environment)
      : AbsolutePath.resolve(paths.store, relativeTo: project, environment: environment)
  }

  /// The state folder, absolute.
  public func stateFolder(project: String, environment: [String: String]) -> String {
    AbsolutePath.resolve(paths.state, relativeTo: project, environment: environment)
  }
}

/// Whether a process is running; a zombie (exited, not yet reaped) counts as gone.
public enum ProcessLiveness {
  public static func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(after: close)...].drop { $0 == " " }.first != "Z"
  }
}
