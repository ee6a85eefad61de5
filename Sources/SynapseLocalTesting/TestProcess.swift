import Foundation
import Subprocess
import SynapseLocalCore
import SynapseLocalSystem

#if canImport(System)
  import System
#else
  import SystemPackage
#endif

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A real long-running child for integration tests (a server), its output in a log file. `stop()`
/// (or the end of the test) sends SIGTERM, then SIGKILL after 5 seconds.
public final class TestProcess: @unchecked Sendable {
  public let logPath: String
  private let task: Task<Void, any Error>
  private let started = AsyncStream<pid_t>.makeStream()
  private let lock = NSLock()
  private var exited = false
  private let pidBox = PIDBox()

  /// The child's pid once it has started.
  public var processIdentifier: pid_t? { pidBox.value }

  final class PIDBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: pid_t?
    var value: pid_t? { lock.withLock { stored } }
    func set(_ pid: pid_t) { lock.withLock { stored = pid } }
  }

  public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
    let path = NSTemporaryDirectory() + "synapse-local-test-\(UUID().uuidString).log"
    logPath = path
    let log = try FileDescriptor.open(FilePath(path), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
    let continuation = started.continuation
    let environment = ChildProcess.environment(environment)
    let pidBox = self.pidBox
    task = Task {
      defer { try? log.close() }
      var options = PlatformOptions()
      options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(5))]
      _ = try await Subprocess.run(
        .path(FilePath(executable)), arguments: Arguments(arguments), environment: environment, platformOptions: options,
        input: .none, output: .fileDescriptor(log, closeAfterSpawningProcess: false),
        error: .fileDescriptor(log, closeAfterSpawningProcess: false)
      ) { execution in
        let pid = execution.processIdentifier.value
        pidBox.set(pid)
        continuation.yield(pid)
        // Wait here until the test stops the process (cancellation runs the teardown) or it exits.
        while !Task.isCancelled && Self.isAlive(pid) { try? await Task.sleep(for: .milliseconds(100)) }
      }
    }
    let markExited = { [weak self] in self?.setExited() }
    Task {
      _ = try? await task.value
      markExited()
      continuation.finish()
    }
  }

  /// A zombie (exited, not yet reaped) counts as gone.
  static func isAlive(_ pid: pid_t) -> Bool { ProcessTable.live.isAlive(pid) }

  private func setExited() {
    lock.withLock { exited = true }
  }

  /// Whether the child is still running.
  public var isRunning: Bool { lock.withLock { !exited } }

  public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  public func stop() async {
    task.cancel()
    _ = try? await task.value
    setExited()
  }

  deinit {
    task.cancel()
    try? FileManager.default.removeItem(atPath: logPath)
  }
}
