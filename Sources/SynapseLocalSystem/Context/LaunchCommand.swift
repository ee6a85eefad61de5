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
