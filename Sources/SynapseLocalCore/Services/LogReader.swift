import SynapseLocalSystem

/// `logs`: the project's logs in its state folder's logs/ (each service's, and the supervisor's
/// own), their last lines merged by time, and what is appended to them while followed.
public struct LogReader: Sendable {
  /// The name of the supervisor's own log (`up -d`), beside the services'.
  public static let supervisor = "supervisor"

  /// The logs found: each one's name and path, and their last lines merged by time.
  public struct Logs: Sendable {
    public var files: [(String, String)]
    public var lines: [LogLine]
  }

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  /// The last `lines` lines of `source`'s log (a service's name or `supervisor`), or of every log
  /// merged when it is nil; an error saying how logs come to be when there is none yet.
  public func read(project: String, source: String?, lines: Int) throws -> Logs {
    let client = try ControlClient.opened(project: project, context: context)
    let folder = client.state + "/logs"
    let names = source.map { [$0] } ?? ServiceName.allCases.map(\.rawValue) + [Self.supervisor]
    let files = names.map { ($0, folder + "/\($0).log") }.filter { context.files.exists($1) }
    guard !files.isEmpty else {
      if source == Self.supervisor {
        throw LogsError.noSupervisorLog(folder: folder)
      }
      throw LogsError.noLogs(folder: folder)
    }
    // A little more than asked for is read, so the first lines shown can be given the time of
    // a line before them.
    let logs = files.map { name, path in
      Array(LogLine.lines(LogFiles.tail(path, lines: lines + 100, files: context.files), service: name).suffix(lines))
    }
    return Logs(files: files, lines: LogLine.merged(logs))
  }

  /// Prints what is appended to the logs on the context's output until cancelled: labelled and
  /// timed when they are several (`labelled`), as JSON lines with `json`.
  public func follow(_ logs: Logs, labelled: Bool, colour: Bool, json: Bool) async throws {
    try await LogFollower(
      files: logs.files, fileSystem: context.files, prefixed: labelled, colour: colour, output: context.output, time: context.time,
      timestamps: labelled,
      json: json
    ).run()
  }
}
