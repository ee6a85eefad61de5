/// Why the supervisor did not do what it was asked of a running service, or stopped waiting for it.
public enum SupervisorError: Error, Equatable, CustomStringConvertible {
  /// The stack is stopping: nothing is started or waited for any more.
  case stackStopping
  /// The run waited for was ended for good (replaced by a swap, say).
  case runEnded
  /// A restart of `service` while a swap of it is under way.
  case swapUnderWay(ServiceName)
  /// The service was not healthy after `waited` seconds (as given) and goes on starting; the last
  /// lines of its log.
  case stillStarting(service: ServiceName, waited: String, logTail: String)

  public var description: String {
    switch self {
    case .stackStopping: "the stack is stopping"
    case .runEnded: "the run was ended"
    case .swapUnderWay(let service):
      "a swap of \(service.rawValue) is under way; restart it once the swap has finished (synapse-local status)"
    case .stillStarting(let service, let waited, let tail):
      "\(service.rawValue) is not healthy after \(waited) s; it is still starting (`synapse-local status` shows it). Last lines of its log:\n\(tail)"
    }
  }
}
