import ArgumentParser
import Foundation
import SynapseLocalCore

struct StatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show each service of the running stack: state, health, pid, uptime, restarts, memory, port, model.",
    discussion: """
      States: starting, healthy, unhealthy (failing its health check), restarting, failed (a crash \
      loop; its last log lines are shown), stopped. A stack that is not running is reported as \
      stopped, with exit status 0 (and why its last start failed, if it did). `--json` is a \
      contract for scripts (docs/stack.md): state (running or stopped), services[] with name, \
      state, pid, restarts, port, uptime_seconds, rss_bytes, and model for llm and embedding.

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
      let client = try ControlClient(project: project.folder(context), context: context)
      client.projectFileProblem.map(Output.warnUnreadableProjectFile)
      guard let status = try client.runningStack(timeout: 30) else {
        let stopped = StoppedStack(
          project: client.project, lastStartFailure: LastStartFailure.read(runFolder: client.runFolder, files: context.files))
        if json { return try Output.json(stopped) }
        Output.line("project \(client.project): stopped (`synapse-local up -d` starts it)")
        if let failure = stopped.lastStartFailure { Output.line("its last start failed: \(failure)") }
        return
      }
      if json { return try Output.json(status) }
      StatusTable.print(status)
    }
  }
}
