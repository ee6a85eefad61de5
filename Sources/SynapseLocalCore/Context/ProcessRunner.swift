import Foundation

/// What a finished short-lived command printed and how it ended.
public struct ProcessResult: Sendable, Equatable {
  public var status: Int32
  public var stdout: String
  public var stderr: String

  public init(status: Int32, stdout: String, stderr: String) {
    self.status = status
    self.stdout = stdout
    self.stderr = stderr
  }
}

public enum ProcessRunnerError: Error, Equatable, CustomStringConvertible {
  case launchFailed(command: String, reason: String)
  case timedOut(command: String, seconds: Double)

  public var description: String {
    switch self {
    case .launchFailed(let command, let reason): "could not start \(command): \(reason)"
    case .timedOut(let command, let seconds): "\(command) did not finish within \(seconds) s and was stopped"
    }
  }
}

/// Runs short commands to completion (probes such as `nvidia-smi`). Long-lived services are the
/// supervisor's business, not this protocol's.
public protocol ProcessRunner: Sendable {
  func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws -> ProcessResult
}

/// Foundation's `Process`, with both pipes drained concurrently and a hard timeout.
public struct SystemProcessRunner: ProcessRunner {
  public init() {}

  public func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws
    -> ProcessResult
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    let command = ([executable] + arguments).joined(separator: " ")

    let exited = AsyncStream<Void>.makeStream()
    process.terminationHandler = { _ in exited.continuation.finish() }
    do {
      try process.run()
    } catch {
      throw ProcessRunnerError.launchFailed(command: command, reason: error.localizedDescription)
    }
    async let stdoutData = Self.drain(out.fileHandleForReading)
    async let stderrData = Self.drain(err.fileHandleForReading)

    let finished = await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        for await _ in exited.stream {}
        return true
      }
      group.addTask {
        try? await Task.sleep(for: timeout)
        return false
      }
      let first = await group.next() ?? false
      group.cancelAll()
      return first
    }
    if !finished {
      process.terminate()
      kill(process.processIdentifier, SIGKILL)
    }
    let (stdout, stderr) = await (stdoutData, stderrData)
    if !finished {
      throw ProcessRunnerError.timedOut(command: command, seconds: Double(timeout.components.seconds))
    }
    return ProcessResult(
      status: process.terminationStatus,
      stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  private static func drain(_ handle: FileHandle) async -> Data {
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(returning: handle.readDataToEndOfFile())
      }
    }
  }
}
