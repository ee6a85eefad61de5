import Foundation
import Subprocess

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

/// swift-subprocess: the child gets only stdin, stdout and stderr (no descriptor of ours leaks into
/// it, nor one of its into a child started at the same moment elsewhere), both outputs are collected
/// concurrently, and a child past its time limit is sent SIGTERM, then SIGKILL.
public struct SystemProcessRunner: ProcessRunner {
  /// Variables added to the inherited environment (a password for psql: never an argument, which
  /// every user can read in the process list).
  public var extraEnvironment: [String: String]

  public init(extraEnvironment: [String: String] = [:]) {
    self.extraEnvironment = extraEnvironment
  }

  /// Output beyond this is an error rather than unbounded memory.
  static let outputLimit = 8 << 20

  public func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws
    -> ProcessResult
  {
    let command = ([executable] + arguments).joined(separator: " ")
    let outcome = try await withThrowingTaskGroup(of: ProcessResult?.self) { group in
      group.addTask {
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
        var added: [Subprocess.Environment.Key: String?] = [:]
        for (key, value) in extraEnvironment {
          if let key = Subprocess.Environment.Key(rawValue: key) { added[key] = value }
        }
        do {
          let result = try await Subprocess.run(
            .path(FilePath(executable)), arguments: Arguments(arguments), environment: Subprocess.Environment.inherit.updating(added),
            platformOptions: options,
            input: .none, output: .string(limit: Self.outputLimit), error: .string(limit: Self.outputLimit))
          let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
          return ProcessResult(status: status, stdout: result.standardOutput, stderr: result.standardError)
        } catch let error as CancellationError {
          throw error
        } catch {
          throw ProcessRunnerError.launchFailed(command: command, reason: "\(error)")
        }
      }
      group.addTask {
        try await Task.sleep(for: timeout)
        return nil
      }
      let first = try await group.next() ?? nil
      group.cancelAll()
      return first
    }
    guard let outcome else {
      throw ProcessRunnerError.timedOut(command: command, seconds: Double(timeout.components.seconds))
    }
    return outcome
  }
}
