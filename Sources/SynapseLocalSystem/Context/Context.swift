import Foundation

/// The side effects a service may have, passed explicitly so tests can replace each one: files,
/// `/proc` and `/sys`, the environment, the clock, short commands, long-lived children, ports,
/// HTTP, and what it says to the user. Only `live()` builds the real ones: a test names each
/// effect it gives (SynapseLocalTesting's `Context.testing` fills the rest with loud fakes).
public struct Context: Sendable {
  /// Where `/proc` and `/sys` are read (the `SYNAPSE_LOCAL_SYSROOT` contract).
  public var system: any FileSystem
  /// The environment the command runs in (`PATH`, `HF_HOME`, `SYNAPSE_LOCAL_*`, ...).
  public var environment: [String: String]
  /// Short commands run to completion (probes such as `nvidia-smi`, `psql`).
  public var processes: any ProcessRunner
  /// The real (unrooted) file system, for paths the user names.
  public var files: any FileSystem
  public var time: any TimeSource
  /// Long-lived children (the supervisor's keepers).
  public var launcher: any ProcessLauncher
  /// Free ports for the engines, and who holds a taken one.
  public var ports: any Ports
  /// HTTP; a request's own `timeout` bounds it where it must not wait long (health checks).
  public var http: any HTTPTransport
  public var output: any OutputSink
  /// Where relative paths typed by the user start from.
  public var workingDirectory: String

  public init(
    system: any FileSystem, environment: [String: String], processes: any ProcessRunner,
    files: any FileSystem, time: any TimeSource, launcher: any ProcessLauncher, ports: any Ports, http: any HTTPTransport,
    output: any OutputSink = SilentOutput(), workingDirectory: String = "/"
  ) {
    self.system = system
    self.environment = environment
    self.processes = processes
    self.files = files
    self.time = time
    self.launcher = launcher
    self.ports = ports
    self.http = http
    self.output = output
    self.workingDirectory = workingDirectory
  }

  /// The context of the running program: real files, real processes, this process's environment.
  public static func live(environment: [String: String] = ProcessInfo.processInfo.environment, output: any OutputSink = SilentOutput())
    -> Context
  {
    let sysroot = environment["SYNAPSE_LOCAL_SYSROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
    let machine = RootedFileSystem()
    return Context(
      system: RootedFileSystem(root: sysroot), environment: environment, processes: SystemProcessRunner(), files: machine,
      time: SystemTime(),
      launcher: SubprocessLauncher(), ports: LoopbackPorts(table: ProcessTable(system: machine)), http: CurlTransport(), output: output,
      workingDirectory: FileManager.default.currentDirectoryPath)
  }

  /// `/proc` as this context sees it.
  public var processTable: ProcessTable { ProcessTable(system: system) }

  /// Where `profiles/` and `templates/` are.

  /// A path the user typed (`~` expanded, relative to the working directory), absolute.
  public func absolute(_ path: String) -> String {
    AbsolutePath.resolve(path, relativeTo: workingDirectory, environment: environment)
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
