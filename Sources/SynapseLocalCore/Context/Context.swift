import Foundation

/// The side effects a command may have, passed explicitly so tests can replace each one.
public struct Context: Sendable {
  /// Where `/proc` and `/sys` are read (the `SYNAPSE_LOCAL_SYSROOT` contract).
  public var system: any FileSystem
  /// The environment the command runs in (`PATH`, `HF_HOME`, `SYNAPSE_LOCAL_*`, ...).
  public var environment: [String: String]
  public var processes: any ProcessRunner
  /// The real (unrooted) file system, for paths the user names.
  public var files: any FileSystem

  public init(
    system: any FileSystem, environment: [String: String], processes: any ProcessRunner,
    files: any FileSystem = RootedFileSystem()
  ) {
    self.system = system
    self.environment = environment
    self.processes = processes
    self.files = files
  }

  /// The context of the running program: real files, real processes, this process's environment.
  public static func live(environment: [String: String] = ProcessInfo.processInfo.environment) -> Context {
    let sysroot = environment["SYNAPSE_LOCAL_SYSROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
    return Context(
      system: RootedFileSystem(root: sysroot), environment: environment,
      processes: SystemProcessRunner())
  }

  /// Finds an executable by name on `PATH`, as a shell would.
  public func findExecutable(_ name: String) -> String? {
    if name.contains("/") { return files.isExecutable(name) ? name : nil }
    let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
      let candidate = "\(directory)/\(name)"
      if files.isExecutable(candidate) { return candidate }
    }
    return nil
  }
}
