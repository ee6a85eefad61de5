/// What stops the stack from starting or running, in one line that says what to do.
public enum StackError: Error, Equatable, CustomStringConvertible {
  case cannotStart(service: ServiceName, reason: String)
  case unhealthy(service: ServiceName, seconds: Int, logTail: String)
  case crashLoop(service: ServiceName, logTail: String)
  case portTaken(service: ServiceName, port: Int, by: String?)
  case notRunning(project: String)
  case alreadyRunning(project: String, pid: Int32)

  public var description: String {
    switch self {
    case .cannotStart(let service, let reason): "\(service.rawValue) cannot start: \(reason)"
    case .unhealthy(let service, let seconds, let tail):
      "\(service.rawValue) did not become healthy within \(seconds) s; the stack was stopped. Last lines of its log:\n\(tail)"
    case .crashLoop(let service, let tail): "\(service.rawValue) keeps exiting and was marked failed. Last lines of its log:\n\(tail)"
    case .portTaken(let service, let port, let by):
      "\(service.rawValue)'s port \(port) is already in use\(by.map { " by \($0)" } ?? ""); stop that or choose another port in synapse-local.yaml"
    case .notRunning(let project): "nothing is running for the project in \(project) (start it with `synapse-local up`)"
    case .alreadyRunning(let project, let pid):
      "the project in \(project) is already running (supervisor pid \(pid)); `synapse-local status` shows it, `synapse-local down` stops it"
    }
  }
}
