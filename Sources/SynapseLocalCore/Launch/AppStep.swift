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
    if let handle = FileHandle(forWritingAtPath: log) ?? Self.create(log) {
      _ = try? handle.seekToEnd()
      try? handle.write(contentsOf: Data(header.utf8))
      try? handle.close()
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
        service: service, step: name, command: command, status: status, log: log, lastLines: Self.output(log, from: before, lines: 12))
    }
  }

  /// The last lines the step itself wrote, indented.
  static func output(_ log: String, from offset: UInt64, lines: Int) -> String {
    guard let handle = FileHandle(forReadingAtPath: log) else { return "  (no output)" }
    defer { try? handle.close() }
    try? handle.seek(toOffset: offset)
    let text = String(decoding: handle.readDataToEndOfFile().suffix(64 << 10), as: UTF8.self)
    let kept = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
    return kept.isEmpty ? "  (no output)" : kept.map { "  " + $0 }.joined(separator: "\n")
  }

  static func create(_ path: String) -> FileHandle? {
    guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else { return nil }
    return FileHandle(forWritingAtPath: path)
  }
}
