import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct RestartCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "restart",
    abstract: "Restart one service of the running stack (a failed one too), or all of them, and wait until healthy.",
    discussion: """
      Without SERVICE, every service restarts, level by level as `up` starts them: db, then llm \
      and embedding, then backend, then frontend, each level once the one before it is healthy \
      again. A restart asked for is not counted as a crash (`status`, `doctor`).

      `restart` returns once the service is healthy again. If it fails, stops, or is not healthy \
      within its readiness limit (db 60 s, llama-server 300 s, vLLM 900 s, embedding and apps \
      180 s; --timeout to choose), it says why with the last lines of its log and exits 1. \
      --no-wait returns as soon as the restart is asked. `--json` prints the service's entry of \
      `status --json` (docs/stack.md); without SERVICE, an array of every service's.

      Examples:
        synapse-local restart llm
        synapse-local restart
        synapse-local restart backend --timeout 60 --project ~/synapse
        synapse-local restart embedding --no-wait --json
      """)

  @OptionGroup var project: ProjectOption

  @Argument(help: ArgumentHelp("db, llm, embedding, backend or frontend (default: every service).", valueName: "SERVICE"))
  var service: ServiceName?

  @Flag(name: .customLong("no-wait"), help: "Return once the restart is asked, without waiting for the service to be healthy.")
  var noWait = false

  @Option(name: .long, help: ArgumentHelp("How long to wait for it (default: its readiness limit).", valueName: "SECONDS"))
  var timeout: Double?

  @Flag(name: .long, help: "Print the service's status afterwards as JSON.")
  var json = false

  func validate() throws {
    if let timeout, !(timeout > 0 && timeout <= 86_400) { throw ValidationError("--timeout must be between 0 and 86400 seconds") }
    if timeout != nil && noWait { throw ValidationError("--timeout is how long to wait: it does not go with --no-wait") }
  }

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let client = try ControlClient.opened(project: project.folder(ctx), context: ctx)
      let began = ctx.time.now
      guard let service else {
        if !noWait && !json { ctx.output.note("synapse-local: restarting every service, level by level; waiting until each is healthy") }
        let services = try client.restartAll(wait: !noWait, seconds: timeout)
        if json { return try ctx.output.json(services) }
        let names = services.map(\.name.rawValue).joined(separator: ", ")
        ctx.output.print(
          noWait
            ? "restarting \(names)"
            : "\(names) healthy again (\(String(format: "%.1f", ctx.time.seconds(since: began))) s)")
        return
      }
      if !noWait && !json { ctx.output.note("synapse-local: restarting \(service.rawValue); waiting until it is healthy") }
      let status = try client.restart(service, wait: !noWait, seconds: timeout)
      if json { return try ctx.output.json(status) }
      ctx.output.print(
        noWait
          ? "restarting \(service.rawValue)"
          : "\(service.rawValue) is healthy again (\(String(format: "%.1f", ctx.time.seconds(since: began))) s; pid \(status.pid.map(String.init) ?? "-"))"
      )
    }
  }
}
