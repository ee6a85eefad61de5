import ArgumentParser
import Foundation
import SynapseLocalCore

struct DownCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "down",
    abstract: "Stop the running stack: services in reverse order, SIGTERM then SIGKILL, nothing left behind.",
    discussion: """
      With nothing running, `down` says so and exits 0, so `trap 'synapse-local down' EXIT` is \
      safe in a script. `--json` prints project, state (stopped), was_running and supervisor_pid \
      (docs/stack.md).

      Examples:
        synapse-local down
        synapse-local down --json --project ~/synapse
      """)

  @OptionGroup var project: ProjectOption

  @Flag(name: .long, help: "Print the result as JSON.")
  var json = false

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let client = try ControlClient(project: project.folder(context), context: context)
      client.projectFileProblem.map(Output.warnUnreadableProjectFile)
      let report = StopReport(project: client.project, supervisorPID: try await client.stopStack(time: context.time))
      if json { return try Output.json(report) }
      Output.line(report.wasRunning ? "stopped \(client.project)" : "\(client.project) was not running: nothing to stop")
    }
  }
}
