import Foundation
import SynapseLocalSystem

/// One preparation command of an app (install, build, migrate): run through the shell in a folder,
/// its output appended to the service's log, its failure a one-line error with the log's last lines.
public struct AppStep: Sendable, Equatable {
  public var service: ServiceName
  /// install, build or migrate.
  public var name: String
  public var command: String
  public var folder: String
  public var environment: [String: String]
  public var log: String

  public init(service: ServiceName, name: String, command: String, folder: String, environment: [String: String], log: String) {
    self.service = service
    self.name = name
    self.command = command
    self.folder = folder
    self.environment = environment
    self.log = log
  }

  /// Runs the step to its end through the context's launcher; a cancelled task kills it (and
  /// whatever it started: its process group).
  public func run(_ context: Context) async throws {
    let header = "== synapse-local: \(service.rawValue) \(name): \(command) (in \(folder))\n"
    // A new log is the service's alone (0600); an existing one keeps its mode.
    if let file = try? context.files.open(log, .update, permissions: 0o600) {
      try? file.seek(to: file.length())
      try? file.write(Data(header.utf8))
      file.close()
    }
    let before = context.files.size(log) ?? 0
    let process = ManagedProcess(
      launching: LaunchCommand(
        executable: "/bin/sh", arguments: ["-c", command], environment: environment, workingDirectory: folder, logPath: log),
      in: context)
    let status = try await withTaskCancellationHandler {
      try await process.awaitExit()
    } onCancel: {
      process.kill()
    }
    guard status == 0 else {
      throw AppError.stepFailed(
        service: service, step: name, command: command, status: status, log: log,
        lastLines: Self.output(log, from: before, lines: 12, files: context.files))
    }
  }

  /// The last lines the step itself wrote, indented.
  static func output(_ log: String, from offset: UInt64, lines: Int, files: any FileSystem) -> String {
    guard let file = try? files.open(log, .read) else { return "  (no output)" }
    defer { file.close() }
    let text = String(decoding: LogFiles.rest(of: file, from: offset).suffix(64 << 10), as: UTF8.self)
    let kept = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
    return kept.isEmpty ? "  (no output)" : kept.map { "  " + $0 }.joined(separator: "\n")
  }
}
