import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// The command's own printing rules: results to stdout, diagnostics to stderr, JSON alone on
/// stdout with `--json`. Unlike `line`, none of these is silenced by --quiet.
extension OutputSink {
  /// A line of the command's result on stdout.
  func print(_ text: String = "") {
    stdout(text + "\n")
  }

  func json(_ value: some Encodable) throws {
    let data = try JSONDocument.encode(value)
    stdout(String(decoding: data, as: UTF8.self) + "\n")
  }

  /// One line per line of `text`, each prefixed, so a list of problems stays greppable. A line
  /// that already has our prefix (one read back from the supervisor's log) keeps only its own.
  func error(_ text: String) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map {
      $0.hasPrefix("synapse-local: ") ? "\($0)\n" : "synapse-local: error: \($0)\n"
    }
    stderr(lines.joined())
  }

  /// A line for the person at the terminal (stderr), not for scripts reading stdout.
  func note(_ text: String) {
    stderr(text + "\n")
  }

  /// Rows of label/value pairs, labels padded to one column.
  func table(_ rows: [(String, String)], indent: Int = 2) {
    let width = rows.map(\.0.count).max() ?? 0
    for (label, value) in rows {
      print(String(repeating: " ", count: indent) + label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
    }
  }
}
