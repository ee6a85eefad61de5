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
