public enum TuneError: Error, Equatable, CustomStringConvertible {
  case startFailed(String)
  case badRequest(String)

  public var description: String {
    switch self {
    case .startFailed(let reason): "the engine did not run with the project's own flags, so there is nothing to tune from: \(reason)"
    case .badRequest(let message): message
    }
  }
}
