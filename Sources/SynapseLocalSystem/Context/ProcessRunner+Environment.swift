import Foundation

extension ProcessRunner {
  /// The same runner, its children given `environment` besides what they inherit (a password for
  /// psql: never an argument, which every user can read in the process list). A runner that starts
  /// no real process (a test's) is returned as it is.
  public func adding(environment: [String: String]) -> any ProcessRunner {
    guard var system = self as? SystemProcessRunner else { return self }
    system.extraEnvironment.merge(environment) { $1 }
    return system
  }
}
