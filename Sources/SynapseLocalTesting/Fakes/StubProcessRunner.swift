import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// A process runner that answers from a table and fails loudly for anything it was not told about,
/// so a unit test can never start a real program by accident: the unknown command is a test
/// issue, not only an error the code under test might turn into "no GPU" or "not installed".
public struct StubProcessRunner: ProcessRunner {
  public var answers: [String: ProcessResult]

  public init(_ answers: [String: ProcessResult] = [:]) {
    self.answers = answers
  }

  public func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws -> ProcessResult {
    let command = ([executable] + arguments).joined(separator: " ")
    guard let answer = answers[command] else {
      Issue.record("StubProcessRunner has no answer for `\(command)`; add one to the test")
      throw ProcessRunnerError.launchFailed(command: command, reason: "StubProcessRunner has no answer for it; add one to the test")
    }
    return answer
  }
}
