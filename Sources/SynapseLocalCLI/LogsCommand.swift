import ArgumentParser
import Foundation
import SynapseLocalCore

struct LogsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs",
    abstract: "Print the services' logs (from the state folder's logs/).",
    discussion: """
      Without SERVICE, every service's, each line prefixed with its name. -f follows them.

      Examples:
        synapse-local logs llm
        synapse-local logs embedding --lines 200
        synapse-local logs -f
      """)

  @OptionGroup var project: ProjectOption

  @Argument(help: ArgumentHelp("db, llm, embedding, backend or frontend (default: all).", valueName: "SERVICE"))
  var service: ServiceName?

  @Option(
    name: [.customShort("n"), .customLong("lines"), .customLong("tail")],
    help: ArgumentHelp("How many of the last lines to print first.", valueName: "N"))
  var lines = 50

  @Flag(name: .shortAndLong, help: "Keep printing new lines.")
  var follow = false

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let folder = try ControlClient(project: project.folder(context), context: context).state + "/logs"
      let names = service.map { [$0] } ?? ServiceName.allCases
      let files = names.map { ($0, folder + "/\($0.rawValue).log") }.filter { FileManager.default.fileExists(atPath: $1) }
      guard !files.isEmpty else { throw StackError.control("no logs yet in \(folder) (start the stack with `synapse-local up`)") }
      for (name, path) in files {
        for line in LogFiles.tail(path, lines: lines).split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
          Output.line(service == nil ? LogFollower.label(name) + line : String(line))
        }
      }
      if follow { try await LogFollower(files: files, prefixed: service == nil, colour: isatty(1) == 1, output: context.output).run() }
    }
  }
}
