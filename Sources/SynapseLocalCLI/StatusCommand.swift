import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct StatusCommand: ContextCommand {
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

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      switch try StackStatusReader(context: ctx).read(project: project.folder(ctx)) {
      case .stopped(let stopped):
        if json { return try ctx.output.json(stopped) }
        ctx.output.print("project \(stopped.project): stopped (`synapse-local up -d` starts it)")
        if let failure = stopped.lastStartFailure { ctx.output.print("its last start failed: \(failure)") }
      case .running(let status):
        if json { return try ctx.output.json(status) }
        StatusTable.print(status, to: ctx.output, now: ctx.time.now)
      }
    }
  }
}
