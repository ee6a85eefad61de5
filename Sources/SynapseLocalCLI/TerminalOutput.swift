import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// What Core services say, printed by the CLI's rules on the streams of `base`: lines on stdout,
/// info and warnings on stderr with our prefix, progress on stderr (nothing with --quiet).
/// `jsonOnStdout`: stdout is kept for the command's JSON, so lines go to stderr.
struct TerminalOutput: OutputSink {
  /// Where the text goes: the process's streams, or a test's recording.
  var base: any OutputSink
  var quiet = false
  var jsonOnStdout = false

  init(base: any OutputSink, quiet: Bool = false, jsonOnStdout: Bool = false) {
    // Rules set again replace the ones before, never stack on them.
    self.base = (base as? TerminalOutput)?.base ?? base
    self.quiet = quiet
    self.jsonOnStdout = jsonOnStdout
  }

  func line(_ text: String) {
    guard !quiet else { return }
    if jsonOnStdout { return stderr(text + "\n") }
    stdout(text + "\n")
  }

  func info(_ text: String) { stderr("synapse-local: \(text)\n") }

  func warning(_ text: String) { stderr("synapse-local: warning: \(text)\n") }

  func progress(_ item: String, done: UInt64, total: UInt64) {
    guard !quiet else { return }
    base.progress(item, done: done, total: total)
  }

  func stdout(_ text: String) { base.stdout(text) }

  func stderr(_ text: String) { base.stderr(text) }
}
