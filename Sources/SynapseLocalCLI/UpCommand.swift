import ArgumentParser
import Dispatch
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct UpCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "up",
    abstract: "Start the stack natively and supervise it: db, llm, embedding, backend, frontend.",
    discussion: """
      Services start in dependency order (db, then llm and embedding, then backend, then frontend), \
      each once the ones before it are healthy. A service that exits is restarted with a growing \
      pause (1 s, 2 s, 4 s... at most 30 s); one that exits 5 times in a row is marked failed; one \
      that stops answering its health check 3 times in a row is restarted. Every service runs in a \
      process group of its own under a keeper, so nothing is left behind, whatever happens to the \
      supervisor. Logs: the state folder's logs/ (synapse-local logs).

      In the foreground, the services' output is shown prefixed with their names; Ctrl-C stops \
      everything. With -d the stack runs in the background: status, logs, restart and down talk to \
      it through a socket in the state folder (mode 0600).

      What is missing is provided first: a project planned (init), the runtimes installed (install; \
      --no-install refuses instead), the models pulled (pull), .env and the embedding server \
      generated. docs/stack.md describes it all.

      The Synapse apps (docs/synapse-app.md): Node, their package manager, lockfile and ports are \
      checked before anything starts; then `install` runs when the lockfile or a package.json \
      changed (skipped otherwise), `build` in production mode, the backend's `migrate` once the \
      database is ready, then `start`. Each step's output goes to the app's log; a failed step \
      stops `up` with its exit status and last lines.

      With -d and --json, stdout holds only the running stack's status once every service is \
      healthy: the document of `status --json` (docs/stack.md); progress goes to stderr.

      An engine with idle_unload_seconds (llm, embedding) is not loaded at `up`: it reads idle, \
      and the first request loads it (held meanwhile, streamed ones told of the load), so `up` is \
      quick and its memory stays free until needed. --preload (or llm.preload / embedding.preload: \
      true) loads it at `up` all the same; it still unloads after its idle period.

      `up -d` on a stack that already runs says "already running" and exits 0 (with --json, its \
      status); `up` in the foreground refuses, exit 1.

      Examples:
        synapse-local up -d --project ~/synapse-demo
        synapse-local up -d --json > stack.json
        synapse-local up -d --preload
        synapse-local status
        synapse-local down
      """)

  @OptionGroup var project: ProjectOption

  @Flag(name: .shortAndLong, help: "Run in the background; return once every service is healthy.")
  var detach = false

  @Flag(name: .long, help: "Re-hash the model files against their digests before starting (sizes are always checked).")
  var verify = false

  @Flag(name: .customLong("ignore-memory"), help: "Start even when the plan's memory estimate exceeds what this machine has.")
  var ignoreMemory = false

  @Flag(
    name: .customLong("no-install"),
    help: "Refuse to start when a runtime is missing, and print the install command, instead of installing it.")
  var noInstall = false

  @Flag(
    name: .long,
    help:
      "Load every engine now, even one that unloads when idle (idle_unload_seconds); without it, such an engine loads on its first request."
  )
  var preload = false

  @Flag(name: .long, help: "With -d: print the started stack's status as JSON (the document of `status --json`).")
  var json = false

  @Flag(name: .customLong("supervisor"), help: .hidden)
  var supervisorMode = false

  func validate() throws {
    if json && !detach { throw ValidationError("--json goes with -d: in the foreground, up shows the services' output until it stops") }
  }

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(jsonOnStdout: json)
    try await reportingErrors(ctx.output) {
      let runner = StackRunner(context: ctx)
      let folder = project.folder(ctx)
      // Started by `up -d`, which has prepared the project.
      if supervisorMode { return try await runner.superviseDetached(project: folder, preload: preload) }
      let outcome = try await runner.up(
        project: folder, options: .init(verify: verify, ignoreMemory: ignoreMemory, noInstall: noInstall, preload: preload), detach: detach,
        colour: isatty(1) == 1)
      switch outcome {
      case .alreadyRunning(let pid, let client):
        // What `up -d` is for is done: the stack runs. Said, with exit status 0.
        if json { return try ctx.output.json(try client.status()) }
        ctx.output.print("already running (supervisor pid \(pid)): synapse-local status | logs | down --project \(folder)")
      case .detached(let status):
        if json { return try ctx.output.json(status) }
        StatusTable.print(status, to: ctx.output, now: ctx.time.now)
        ctx.output.print("\nrunning in the background: synapse-local status | logs | down --project \(folder)")
      case .stopped:
        break
      }
    }
  }
}
