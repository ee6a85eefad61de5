/// A long-lived child process: the command, its whole environment, and the log that takes its
/// output.
public struct LaunchCommand: Sendable, Equatable {
  public var executable: String
  public var arguments: [String]
  public var environment: [String: String]
  public var workingDirectory: String?
  /// stdout and stderr are appended here.
  public var logPath: String

  public init(executable: String, arguments: [String], environment: [String: String], workingDirectory: String? = nil, logPath: String) {
    self.executable = executable
    self.arguments = arguments
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.logPath = logPath
  }
}

/// Starts the supervisor's children (keepers) and tells when each ends: the exit is an event the
/// supervisor awaits, never a state it polls. Tests replace it with a scripted launcher.
public protocol ProcessLauncher: Sendable {
  /// Runs the command to its end in a process group of its own. `started` gets its pid as soon as
  /// it runs. Returns the exit status (128 + the signal when killed); throws when it cannot start.
  func run(_ command: LaunchCommand, started: @escaping @Sendable (Int32) async -> Void) async throws -> Int32
  /// Sends `signal` to a process it started.
  func signal(_ pid: Int32, _ signal: Int32)
  /// Kills what a keeper killed outright left behind: the process its pid file names, and the
  /// process group it leads.
  func killLeftover(_ pid: Int32)
}
