import ArgumentParser
import Foundation
import SynapseLocalCore

/// Printing rules: results to stdout, diagnostics to stderr, JSON alone on stdout with `--json`.
enum Output {
  static func json(_ value: some Encodable) throws {
    let data = try JSONDocument.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
  }

  static func line(_ text: String = "") {
    print(text)
  }

  /// One line per line of `text`, each prefixed, so a list of problems stays greppable. A line
  /// that already has our prefix (one read back from the supervisor's log) keeps only its own.
  static func error(_ text: String) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map {
      $0.hasPrefix("synapse-local: ") ? "\($0)\n" : "synapse-local: error: \($0)\n"
    }
    FileHandle.standardError.write(Data(lines.joined().utf8))
  }

  /// A line for the person at the terminal (stderr), not for scripts reading stdout.
  static func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// What is happening (a step begun, the stack healthy): labelled as ours, not as a problem.
  static func info(_ text: String) {
    FileHandle.standardError.write(Data("synapse-local: \(text)\n".utf8))
  }

  static func warning(_ text: String) {
    FileHandle.standardError.write(Data("synapse-local: warning: \(text)\n".utf8))
  }

  /// The project file did not read, and the state folder `up` recorded stood in: the command goes
  /// on (a typo never locks the user out of a running stack), saying what is wrong with the file.
  static func warnUnreadableProjectFile(_ problem: String) {
    let first = problem.split(separator: "\n").first.map(String.init) ?? problem
    warning("the project file does not read (\(first)); using the stack's recorded state. Fix the file before the next `up`")
  }

  /// Rows of label/value pairs, labels padded to one column.
  static func table(_ rows: [(String, String)], indent: Int = 2) {
    let width = rows.map(\.0.count).max() ?? 0
    for (label, value) in rows {
      print(String(repeating: " ", count: indent) + label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
    }
  }
}

/// Runs a command body, turning any error into one line on stderr and exit status 1, so no user
/// ever sees a stack trace or Swift's error dump.
func reportingErrors(_ body: () async throws -> Void) async throws {
  do {
    try await body()
  } catch let error as ExitCode {
    throw error
  } catch let error as CleanExit {
    throw error
  } catch let error as ValidationError {
    throw error
  } catch {
    Output.error(String(describing: error))
    throw ExitCode(1)
  }
}

/// A problem with what the user typed that is only found while running; printed as one line.
struct UsageProblem: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
