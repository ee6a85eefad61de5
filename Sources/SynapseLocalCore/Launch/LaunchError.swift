/// Why `up` did not bring the stack up, before or while its supervisor started.
public enum LaunchError: Error, Equatable, CustomStringConvertible {
  /// A stop signal came while the apps were installed or built.
  case stoppedBySignal
  /// The embedding model cannot be served as configured (`problem` says what and why).
  case embeddingModel(problem: String)
  /// The detached supervisor reported a failed start, with its reason.
  case supervisorFailed(reason: String)
  /// The detached supervisor ended before it said ready or failed: what this start wrote to its
  /// `log` (`output`) and its wait `status` when it could be had.
  case supervisorEnded(output: String, status: Int32?, log: String)

  public var description: String {
    switch self {
    case .stoppedBySignal: "stopped by a signal while installing or building the apps; nothing was started"
    case .embeddingModel(let problem): problem
    case .supervisorFailed(let reason): reason
    case .supervisorEnded(let output, let status, let log): StackLauncher.endedBeforeReady(output, status: status, log: log)
    }
  }
}
