import Foundation
import SynapseLocalTesting

/// A program running in a pseudo-terminal of its own (a tmux session on a tmux server of its own,
/// so a user's tmux is never touched): what its screen shows, keys typed into it, a resize.
struct TerminalSession {
  let server = "synapse-test-\(UUID().uuidString.prefix(8))"
  let name = "watch"

  static func start(_ command: [String], width: Int, height: Int) async throws -> TerminalSession {
    let session = TerminalSession()
    let line = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    try await session.tmux(["new-session", "-d", "-s", session.name, "-x", String(width), "-y", String(height), line])
    return session
  }

  @discardableResult
  func tmux(_ arguments: [String]) async throws -> String {
    let (status, output) = try await runCommand("/usr/bin/tmux", ["-L", server] + arguments)
    guard status == 0 else { throw TestFailure("tmux \(arguments.joined(separator: " ")): \(output)") }
    return output
  }

  /// The screen as it is now, one string per row, trailing spaces dropped.
  func screen() async throws -> [String] {
    try await tmux(["capture-pane", "-p", "-t", name]).split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0.reversed().drop { $0 == " " }.reversed())
    }
  }

  /// Waits up to `seconds` for a screen that `condition` accepts, and returns it.
  func waitFor(_ what: String, seconds: Int = 20, _ condition: ([String]) -> Bool) async throws -> [String] {
    var last: [String] = []
    for _ in 0..<(seconds * 10) {
      last = try await screen()
      if condition(last) { return last }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw TestFailure("the terminal never showed \(what); it shows:\n\(last.joined(separator: "\n"))")
  }

  func type(_ keys: String) async throws { try await tmux(["send-keys", "-t", name, "-l", keys]) }

  func resize(width: Int) async throws { try await tmux(["resize-window", "-t", name, "-x", String(width)]) }

  /// Whether the program still runs (its session ends with it).
  func isRunning() async -> Bool { (try? await tmux(["has-session", "-t", name])) != nil }

  func close() async { _ = try? await tmux(["kill-server"]) }
}
