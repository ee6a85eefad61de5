import Foundation
import SynapseLocalSystem

/// How a service's run ended and what the supervisor did next: the line it writes to its log
/// (`logs supervisor`), and what `status` shows as the last exit. `crash` tells an end nobody
/// asked for (an exit, a hang the supervisor ended) from a `restart`, `down` or swap.
public struct ExitReport: Sendable, Equatable {
  /// The keeper's exit status: the service's, or 128 + the signal that killed it.
  public var status: Int32
  public var at: Date
  public var crash: Bool
  /// What the supervisor logs after the service's name, e.g. "exited: killed by signal 9
  /// (SIGKILL); restarting in 1 s, restart 1 of 4".
  public var line: String

  public init(status: Int32, at: Date, crash: Bool, line: String) {
    self.status = status
    self.at = at
    self.crash = crash
    self.line = line
  }

  /// "exit status 1", or "killed by signal 9 (SIGKILL)" for the keeper's 128 + signal.
  public var cause: String { Self.cause(status) }

  public static func cause(_ status: Int32) -> String {
    let signal = status - 128
    guard (1...64).contains(signal) else { return "exit status \(status)" }
    return "killed by signal \(signal)" + (signalNames[signal].map { " (\($0))" } ?? "")
  }

  /// Linux's numbers for the signals that end services.
  static let signalNames: [Int32: String] = [
    1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
    9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU",
    25: "SIGXFSZ", 31: "SIGSYS",
  ]

  /// A pause said the way people read it: "1 s", "500 ms".
  static func pause(_ duration: Duration) -> String {
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : String(format: "%g s", seconds)
  }
}
