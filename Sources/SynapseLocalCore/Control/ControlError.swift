/// What goes wrong between a command and the running supervisor on the control socket, on either
/// side: the supervisor's refusals, answers that do not come or do not read, versions that cannot
/// talk, and the socket itself.
public enum ControlError: Error, Equatable, CustomStringConvertible {
  /// The supervisor refused the request, saying why.
  case refused(String)
  /// A status was asked for and something else came back.
  case noStatus
  /// The supervisor closed the connection before the request was sent.
  case connectionClosed
  /// Nothing readable came back (the supervisor may be stopping).
  case noAnswer
  /// The two sides speak different control protocols; each named with its versions.
  case versionMismatch(client: String, supervisor: String)
  /// An answer of our protocol whose body this binary cannot read.
  case unreadableAnswer
  /// The supervisor's side: a message that is not a control request at all.
  case notARequest
  /// The supervisor's side: a request of our protocol that the supervisor (at `version`) does not know.
  case unknownRequest(version: String)
  /// A service the running stack does not have.
  case notInStack(ServiceName)
  /// `down`: the supervisor outlived `seconds` and was killed.
  case didNotStop(seconds: Int)
  /// Another supervisor answers on the socket at `path`.
  case anotherSupervisor(path: String)
  /// The socket's `path` is `bytes` long, more than a Unix socket address holds.
  case socketPathTooLong(path: String, bytes: Int)
  /// No socket could be made (the system's `reason`).
  case cannotCreateSocket(reason: String)

  public var description: String {
    switch self {
    case .refused(let reason): reason
    case .noStatus: "the supervisor sent no status"
    case .connectionClosed: "the supervisor closed the connection"
    case .noAnswer: "the supervisor gave no answer (it may be stopping); try again"
    case .versionMismatch(let client, let supervisor): ControlVersions.mismatch(client: client, supervisor: supervisor)
    case .unreadableAnswer: "the supervisor sent an answer this synapse-local cannot read"
    case .notARequest: "not a control request"
    case .unknownRequest(let version): "not a control request this supervisor knows (synapse-local \(version))"
    case .notInStack(let service): "\(service.rawValue) is not part of this stack"
    case .didNotStop(let seconds):
      "the supervisor did not stop within \(seconds) s and was killed; its keepers stopped the services (see logs/supervisor.log)"
    case .anotherSupervisor(let path):
      "another supervisor answers on \(path): stop it first (`synapse-local down`, with the binary that started it)"
    case .socketPathTooLong(let path, let bytes):
      "the control socket path is too long (\(bytes) bytes): \(path); use a shorter project path or paths.state"
    case .cannotCreateSocket(let reason): "cannot create a socket: \(reason)"
    }
  }
}
