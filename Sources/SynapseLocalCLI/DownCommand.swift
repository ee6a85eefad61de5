import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct DownCommand: ContextCommand {
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

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let report = try await StackStopper(context: ctx).stop(project: project.folder(ctx))
      if json { return try ctx.output.json(report) }
      ctx.output.print(report.wasRunning ? "stopped \(report.project)" : "\(report.project) was not running: nothing to stop")
    }
  }
}
