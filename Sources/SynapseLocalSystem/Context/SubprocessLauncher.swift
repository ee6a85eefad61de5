import Foundation
import Subprocess

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

/// The real launcher, on swift-subprocess: the child gets only stdin (none), stdout and stderr
/// (the log), and its exit is awaited through Subprocess's own termination monitor.
public struct SubprocessLauncher: ProcessLauncher {
  public init() {}

  public func run(_ command: LaunchCommand, started: @escaping @Sendable (Int32) async -> Void) async throws -> Int32 {
    let log: FileDescriptor
    do {
      log = try FileDescriptor.open(FilePath(command.logPath), .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite])
    } catch {
      throw SystemCallError(action: "open \(command.logPath)", reason: "\(error)")
    }
    defer { try? log.close() }
    var environment: [Subprocess.Environment.Key: String] = [:]
    for (key, value) in command.environment {
      if let key = Subprocess.Environment.Key(rawValue: key) { environment[key] = value }
    }
    // A process group of its own: a terminal's Ctrl-C reaches the supervisor only, which then
    // stops the services in reverse order.
    var options = PlatformOptions()
    options.processGroupID = 0
    let result = try await Subprocess.run(
      .path(FilePath(command.executable)), arguments: Arguments(command.arguments), environment: .custom(environment),
      workingDirectory: command.workingDirectory.map { FilePath($0) }, platformOptions: options, input: .none,
      output: .fileDescriptor(log, closeAfterSpawningProcess: false), error: .fileDescriptor(log, closeAfterSpawningProcess: false)
    ) { execution in
      await started(execution.processIdentifier.value)
    }
    switch result.terminationStatus {
    case .exited(let code): return code
    case .signaled(let signal): return 128 + signal
    }
  }

  public func signal(_ pid: Int32, _ signal: Int32) {
    kill(pid, signal)
  }

  public func killLeftover(_ pid: Int32) {
    kill(-pid, SIGKILL)
    kill(pid, SIGKILL)
  }
}
