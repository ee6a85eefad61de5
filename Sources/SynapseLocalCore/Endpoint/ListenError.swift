import SynapseLocalSystem

/// A server that cannot listen: an endpoint or the status port on a host and port, or the control
/// socket at a path. `reason` is the system's word for why (the address is in use, …).
public enum ListenError: Error, Equatable, CustomStringConvertible {
  case port(host: String, port: Int, reason: String)
  case socket(path: String, reason: String)
  /// The status port's failure, which `status.port` in synapse-local.yaml can move.
  indirect case statusPort(ListenError)
  /// A port another process holds: its name and pid, as `doctor`'s ports check says it.
  indirect case held(ListenError, by: String)

  public var description: String {
    switch self {
    case .port(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
    case .socket(let path, let reason): "cannot listen on \(path): \(reason)"
    case .statusPort(let error): "\(error) (status.port); set status.port in synapse-local.yaml to a free port"
    case .held(let error, let owner): "\(error), held by \(owner)"
    }
  }

  /// The same error naming the process that holds the port, when `ports` can tell (the context's
  /// `Ports`, the lookup `doctor` makes).
  public func namingHolder(_ ports: any Ports) -> ListenError {
    switch self {
    case .port(_, let port, _):
      guard let owner = ports.owner(of: port), !owner.isEmpty else { return self }
      return .held(self, by: owner)
    case .statusPort(let error): return .statusPort(error.namingHolder(ports))
    case .socket, .held: return self
    }
  }
}
