import Foundation
import SynapseLocalCore

/// Keeps what a service said, for a test to read.
public final class RecordingOutput: OutputSink, @unchecked Sendable {
  private let lock = NSLock()
  private var recorded: (lines: [String], infos: [String], warnings: [String], progress: [String]) = ([], [], [], [])

  public init() {}

  public var lines: [String] { lock.withLock { recorded.lines } }
  public var infos: [String] { lock.withLock { recorded.infos } }
  public var warnings: [String] { lock.withLock { recorded.warnings } }
  /// Items that reported progress, in order of their first report.
  public var progressItems: [String] { lock.withLock { recorded.progress } }

  public func line(_ text: String) { lock.withLock { recorded.lines.append(text) } }
  public func info(_ text: String) { lock.withLock { recorded.infos.append(text) } }
  public func warning(_ text: String) { lock.withLock { recorded.warnings.append(text) } }
  public func progress(_ item: String, done: UInt64, total: UInt64) {
    lock.withLock { if !recorded.progress.contains(item) { recorded.progress.append(item) } }
  }
}
