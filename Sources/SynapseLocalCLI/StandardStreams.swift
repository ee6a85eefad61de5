import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// The process's own stdout and stderr, written as they are: what `TerminalOutput` prints on
/// when a command runs for real (a test gives it a `RecordingOutput` instead).
struct StandardStreams: OutputSink {
  let progressReporter = ProgressReporter(quiet: false)

  func line(_ text: String) { stdout(text + "\n") }

  func info(_ text: String) { stderr(text + "\n") }

  func warning(_ text: String) { stderr(text + "\n") }

  func progress(_ item: String, done: UInt64, total: UInt64) { progressReporter.update(item, done: done, total: total) }

  func stdout(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

  func stderr(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
