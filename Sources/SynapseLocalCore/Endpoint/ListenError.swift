/// A server that cannot listen: an endpoint or the status port on a host and port, or the control
/// socket at a path. `reason` is the system's word for why (the address is in use, …).
public enum ListenError: Error, Equatable, CustomStringConvertible {
  case port(host: String, port: Int, reason: String)
  case socket(path: String, reason: String)
  /// The status port's failure, which `status.port` in synapse-local.yaml can move.
  indirect case statusPort(ListenError)

  public var description: String {
    switch self {
    case .port(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
    case .socket(let path, let reason): "cannot listen on \(path): \(reason)"
    case .statusPort(let error): "\(error) (status.port); set status.port in synapse-local.yaml to a free port"
    }
  }
}
