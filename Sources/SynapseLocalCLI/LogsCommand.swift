import ArgumentParser
import Foundation
import SynapseLocalCore

struct LogsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs",
    abstract: "Print the services' logs, or the supervisor's (from the state folder's logs/).",
    discussion: """
      Without SERVICE, every service's, each line prefixed with its name. `supervisor` is the \
      supervisor's own log (`up -d`): its notes and warnings, and why a start failed, each run \
      after the last. -f follows them. The supervisor's health checks are not in the services' \
      logs (docs/stack.md).

      Examples:
        synapse-local logs llm
        synapse-local logs embedding --lines 200
        synapse-local logs supervisor
        synapse-local logs -f
      """)

  @OptionGroup var project: ProjectOption

  @Argument(
    help: ArgumentHelp(
      "db, llm, embedding, backend, frontend, or supervisor for the supervisor's own log (default: every service's).",
      valueName: "SERVICE"))
  var source: LogSource?

  @Option(
    name: [.customShort("n"), .customLong("lines"), .customLong("tail")],
    help: ArgumentHelp("How many of the last lines to print first.", valueName: "N"))
  var lines = 50

  @Flag(name: .shortAndLong, help: "Keep printing new lines.")
  var follow = false

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let client = try ControlClient(project: project.folder(context), context: context)
      client.projectFileProblem.map(Output.warnUnreadableProjectFile)
      let folder = client.state + "/logs"
      let names = source.map { [$0.name] } ?? ServiceName.allCases.map(\.rawValue)
      let files = names.map { ($0, folder + "/\($0).log") }.filter { FileManager.default.fileExists(atPath: $1) }
      guard !files.isEmpty else {
        if source?.name == LogSource.supervisor {
          throw StackError.control(
            "no supervisor log yet in \(folder): `synapse-local up -d` writes it (in the foreground, up prints to the terminal)")
        }
        throw StackError.control("no logs yet in \(folder) (start the stack with `synapse-local up`)")
      }
      for (name, path) in files {
        for line in LogFiles.tail(path, lines: lines).split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
          Output.line(source == nil ? LogFollower.label(name) + line : String(line))
        }
      }
      if follow { try await LogFollower(files: files, prefixed: source == nil, colour: isatty(1) == 1, output: context.output).run() }
    }
  }
}
