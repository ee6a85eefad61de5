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
      loop; its last log lines are shown), stopped, idle (an engine unloaded after \
      idle_unload_seconds without a request; the next request starts it) and degraded (an engine \
      slower than llm.slow_ratio of its expected speed). A stack that is not running is reported \
      as stopped, with exit status 0 (and why its last start failed, if it did). `--json` is a \
      contract for scripts (docs/stack.md): state (running or stopped), services[] with name, \
      state, pid, restarts, port, uptime_seconds, rss_bytes, and model for llm and embedding.

      `--watch` redraws the same view in place, at most once a second, fitted to the terminal's \
      width (columns leave from the right as it narrows); q or Ctrl-C leaves. A stopped stack is \
      shown as stopped and watched on, so you see it come up. The status page at the status \
      port's / shows the same in a browser.

      Examples:
        synapse-local status
        synapse-local status --watch
        synapse-local status --json --project ~/synapse
      """)

  @OptionGroup var project: ProjectOption

  @Flag(name: .long, help: "Print the status as JSON.")
  var json = false

  @Flag(name: .long, help: "Redraw the status in place every second until q or Ctrl-C.")
  var watch = false

  func validate() throws {
    if json && watch { throw ValidationError("--watch draws for a person and --json prints for scripts: give one of them") }
  }

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    if watch { return try await watchStatus(ctx) }
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

  /// `--watch` on this terminal; the terminal is given back as it was, whatever ends the watch.
  func watchStatus(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let folder = project.folder(ctx)
      let screen = TerminalScreen()
      let (keys, interrupt) = screen.keys()
      defer { interrupt.cancel() }
      let reader = StackStatusReader(context: ctx)
      screen.begin()
      defer { screen.restore() }
      try await StatusWatch(context: ctx).run(project: folder, screen: screen, keys: keys) { try reader.read(project: $0, timeout: 2) }
    }
  }
}
