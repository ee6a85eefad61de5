/// `logs` when there is nothing to show yet in the state folder's `folder` (its logs/).
public enum LogsError: Error, Equatable, CustomStringConvertible {
  /// No service or supervisor log at all.
  case noLogs(folder: String)
  /// The supervisor's own log was asked for; only `up -d` writes one.
  case noSupervisorLog(folder: String)

  public var description: String {
    switch self {
    case .noLogs(let folder): "no logs yet in \(folder) (start the stack with `synapse-local up`)"
    case .noSupervisorLog(let folder):
      "no supervisor log yet in \(folder): `synapse-local up -d` writes it (in the foreground, up prints to the terminal)"
    }
  }
}
