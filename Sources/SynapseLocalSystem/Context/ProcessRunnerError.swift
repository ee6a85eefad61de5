import Foundation
import Subprocess

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

public enum ProcessRunnerError: Error, Equatable, CustomStringConvertible {
  case launchFailed(command: String, reason: String)
  case timedOut(command: String, seconds: Double)

  public var description: String {
    switch self {
    case .launchFailed(let command, let reason): "could not start \(command): \(reason)"
    case .timedOut(let command, let seconds): "\(command) did not finish within \(seconds) s and was stopped"
    }
  }
}
