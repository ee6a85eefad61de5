import Foundation
import SynapseLocalSystem

/// Why the last `up` of this project failed, kept in the run folder until a start succeeds: once
/// the stack is down, only this file still says what went wrong (`doctor` and `status` read it).
///
/// A failure is written with the time its start began, and a start that succeeds clears it and
/// writes when it began (`last-start`): the failure of a start older than the last good one is
/// never shown, whatever order they ended in. A start that fails while another supervisor answers for the same state folder (two
/// `up -d` at once) is that one running, not this stack failing: nothing is recorded.
public enum LastStartFailure {
  public static func path(runFolder: String) -> String { runFolder + "/last-start-failure" }

  /// When the last start that reached every service healthy began.
  public static func startedPath(runFolder: String) -> String { runFolder + "/last-start" }

  public static func record(_ reason: String, startedAt time: Date, runFolder: String, files: any FileSystem) {
    try? files.createDirectory(runFolder, permissions: 0o700)
    try? files.write(time.formatted(Self.format) + "\n" + reason, to: path(runFolder: runFolder), permissions: 0o600)
  }

  /// A start succeeded: the failure before it is history.
  public static func clear(startedAt time: Date, runFolder: String, files: any FileSystem) {
    try? files.remove(path(runFolder: runFolder))
    try? files.write(time.formatted(Self.format) + "\n", to: startedPath(runFolder: runFolder), permissions: 0o600)
  }

  /// The reason, unless a start begun later has succeeded. A record with no time (an earlier version's)
  /// counts as older than any good start on record.
  public static func read(runFolder: String, files: any FileSystem) -> String? {
    guard let text = files.readText(path(runFolder: runFolder)), !text.isEmpty else { return nil }
    let (failedAt, reason) = split(text)
    guard !reason.isEmpty else { return nil }
    if let started = files.readText(startedPath(runFolder: runFolder)).flatMap({ date(String($0.prefix { $0 != "\n" })) }) {
      guard let failedAt, failedAt > started else { return nil }
    }
    return reason
  }

  static let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

  static func date(_ text: String) -> Date? { try? Date(text.trimmingCharacters(in: .whitespaces), strategy: format) }

  /// The time on the first line, if it is one, and the reason after it.
  static func split(_ text: String) -> (Date?, String) {
    let firstLine = String(text.prefix { $0 != "\n" })
    guard let time = date(firstLine) else { return (nil, text) }
    return (time, String(text.dropFirst(firstLine.count + 1)))
  }
}
