import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// Keeps what a service said, for a test to read; and what a command printed on each stream, in
/// order, as the terminal would have shown it.
public final class RecordingOutput: OutputSink, @unchecked Sendable {
  private let lock = NSLock()
  private var recorded: (lines: [String], infos: [String], warnings: [String], progress: [String]) = ([], [], [], [])
  private var streams: (stdout: String, stderr: String) = ("", "")

  public init() {}

  public var lines: [String] { lock.withLock { recorded.lines } }
  public var infos: [String] { lock.withLock { recorded.infos } }
  public var warnings: [String] { lock.withLock { recorded.warnings } }
  /// Items that reported progress, in order of their first report.
  public var progressItems: [String] { lock.withLock { recorded.progress } }
  /// Everything written to standard output (`stdout(_:)`).
  public var standardOutput: String { lock.withLock { streams.stdout } }
  /// Everything written to standard error (`stderr(_:)`).
  public var standardError: String { lock.withLock { streams.stderr } }

  public func line(_ text: String) { lock.withLock { recorded.lines.append(text) } }
  public func info(_ text: String) { lock.withLock { recorded.infos.append(text) } }
  public func warning(_ text: String) { lock.withLock { recorded.warnings.append(text) } }
  public func progress(_ item: String, done: UInt64, total: UInt64) {
    lock.withLock { if !recorded.progress.contains(item) { recorded.progress.append(item) } }
  }
  public func stdout(_ text: String) { lock.withLock { streams.stdout += text } }
  public func stderr(_ text: String) { lock.withLock { streams.stderr += text } }
}
