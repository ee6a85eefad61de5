import Foundation
import SynapseLocalCore

/// What Core services say, printed by the CLI's rules: lines on stdout, warnings on stderr,
/// progress on stderr (nothing with --quiet). `jsonOnStdout`: stdout is kept for the command's
/// JSON, so lines go to stderr.
struct TerminalOutput: OutputSink {
  var quiet = false
  var jsonOnStdout = false
  let progressReporter: ProgressReporter

  init(quiet: Bool = false, jsonOnStdout: Bool = false) {
    self.quiet = quiet
    self.jsonOnStdout = jsonOnStdout
    progressReporter = ProgressReporter(quiet: quiet)
  }

  func line(_ text: String) {
    guard !quiet else { return }
    if jsonOnStdout { return Output.note(text) }
    Output.line(text)
    // A pipe or file gets the lines as they come, not when a buffer fills.
    fflush(nil)
  }

  func info(_ text: String) { Output.info(text) }

  func warning(_ text: String) { Output.warning(text) }

  func progress(_ item: String, done: UInt64, total: UInt64) { progressReporter.update(item, done: done, total: total) }
}

extension Context {
  /// The running command's context, its output on the terminal.
  static func command(quiet: Bool = false, jsonOnStdout: Bool = false) -> Context {
    .live(output: TerminalOutput(quiet: quiet, jsonOnStdout: jsonOnStdout))
  }

  /// The catalog from the resources found for this command.
  func catalog() throws -> ModelCatalog { try resources.loadCatalog() }
}
