import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct LogsCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs",
    abstract: "Print the services' logs, or the supervisor's (from the state folder's logs/).",
    discussion: """
      Without SERVICE, every service's and the supervisor's, merged by time, each line prefixed \
      with its name and time. `supervisor` is the supervisor's own log (`up -d`): its notes and \
      warnings, each service's exit with its cause and what followed, and why a start failed, \
      each run after the last. -f follows them. The supervisor's health checks are not in the \
      services' logs (docs/stack.md).

      A line's time is the one it carries (PostgreSQL's, the supervisor's, an app's ISO 8601 \
      stamp), else that of the line before it in the same log; lines before any time come \
      first. llama-server and the embedding server print no times of their own: their lines \
      sit after the timed line before them. While following, a line with no time yet is given \
      the time it was read.

      --json prints one JSON object per log line: {"service": "llm", "time": \
      "2026-12-05T10:00:00.000Z" or null, "line": "..."} (docs/stack.md).

      Examples:
        synapse-local logs llm
        synapse-local logs embedding --lines 200
        synapse-local logs supervisor
        synapse-local logs -f
        synapse-local logs --json -n 100 | jq -r 'select(.service == "llm") | .line'
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

  @Flag(name: .long, help: "Print one JSON object per log line: service, time (ISO 8601 or null), line.")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let reader = LogReader(context: ctx)
      let logs = try reader.read(project: project.folder(ctx), source: source?.name, lines: lines)
      for line in logs.lines {
        ctx.output.print(try json ? JSONDocument.line(line) : LogFollower.render(line, labelled: source == nil, timestamps: source == nil))
      }
      if follow { try await reader.follow(logs, labelled: source == nil, colour: !json && isatty(1) == 1, json: json) }
    }
  }
}
