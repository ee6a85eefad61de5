import Foundation

/// A system call that failed outside the file system (a pipe, a socket, a spawn), as one sentence:
/// what could not be done and the system's reason.
public struct SystemCallError: Error, Equatable, CustomStringConvertible {
  public var action: String
  public var reason: String

  public init(action: String, reason: String) {
    self.action = action
    self.reason = reason
  }

  /// The last call's errno, said about `action`.
  public static func errno(_ action: String) -> SystemCallError {
    SystemCallError(action: action, reason: String(cString: strerror(Foundation.errno)))
  }

  public var description: String { "cannot \(action): \(reason)" }
}
