import ArgumentParser
import Foundation
import SynapseLocalCore

struct StatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show each service of the running stack: state, health, pid, uptime, restarts, memory, port, model.",
    discussion: """
      States: starting, healthy, unhealthy (failing its health check), restarting, failed (a crash \
      loop; its last log lines are shown), stopped. `--json` is a contract for scripts \
      (docs/stack.md): services[] with name, state, pid, restarts, port, uptime_seconds, rss_bytes, \
      and model for llm and embedding.

      Examples:
        synapse-local status
        synapse-local status --json --project ~/synapse
      """)

  @OptionGroup var project: ProjectOption

  @Flag(name: .long, help: "Print the status as JSON.")
  var json = false

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let status = try ControlClient(project: project.folder(context), context: context).status()
      if json { return try Output.json(status) }
      StatusTable.print(status)
    }
  }
}
