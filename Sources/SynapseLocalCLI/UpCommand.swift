import ArgumentParser
import Dispatch
import Foundation
import SynapseLocalCore

struct UpCommand: AsyncParsableCommand {
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

      `up -d` on a stack that already runs says "already running" and exits 0 (with --json, its \
      status); `up` in the foreground refuses, exit 1.

      Examples:
        synapse-local up -d --project ~/synapse-demo
        synapse-local up -d --json > stack.json
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

  @Flag(name: .long, help: "With -d: print the started stack's status as JSON (the document of `status --json`).")
  var json = false

  @Flag(name: .customLong("supervisor"), help: .hidden)
  var supervisorMode = false

  func validate() throws {
    if json && !detach { throw ValidationError("--json goes with -d: in the foreground, up shows the services' output until it stops") }
  }

  func run() async throws {
    try await reportingErrors {
      var context = Context.command(jsonOnStdout: json)
      // The pipe to the `up -d` that started this supervisor: taken, then kept from the services.
      let startup = StartupEvent.Writer(environment: context.environment)
      context.environment[StartupEvent.descriptorVariable] = nil
      let launcher = StackLauncher(context: context, catalog: try context.catalog())
      let folder = project.folder(context)
      if supervisorMode {
        // Started by `up -d`, which has prepared the project: assemble and run. Its log keeps
        // every run, so each begins with a line saying which.
        Output.info("supervisor \(getpid()) starting the stack of \(folder) at \(Date().formatted(.iso8601))")
        let assembly: StackAssembly
        do {
          assembly = try await StackAssembly.assemble(project: folder, context: context, catalog: launcher.catalog)
          // `up -d` converted it; a file removed since is made again, not failed on.
          _ = try assembly.prepareEmbeddingModel()
        } catch {
          startup.send(.failed("\(error)"))
          throw error
        }
        // From here on, supervise reports its own failures.
        return try await launcher.supervise(assembly, keeper: DetachedProcess.ownExecutable, startup: startup)
      }
      let assembly: StackAssembly
      do {
        assembly = try await launcher.prepare(
          project: folder, options: .init(verify: verify, ignoreMemory: ignoreMemory, noInstall: noInstall))
      } catch StackError.alreadyRunning(_, let pid) where detach {
        // What `up -d` is for is done: the stack runs. Said, with exit status 0.
        let client = try ControlClient(project: folder, context: context)
        if json { return try Output.json(try client.status()) }
        Output.line("already running (supervisor pid \(pid)): synapse-local status | logs | down --project \(folder)")
        return
      }
      if detach {
        let began = Date()
        let status = try await launcher.startDetached(assembly, executable: DetachedProcess.ownExecutable) { states in
          let elapsed = Date().timeIntervalSince(began)
          let line = states.map { "\($0.0.rawValue) \($0.1.rawValue)" }.joined(separator: ", ")
          FileHandle.standardError.write(Data("synapse-local: \(String(format: "%5.1f", elapsed)) s  \(line)\n".utf8))
        }
        if json { return try Output.json(status) }
        StatusTable.print(status)
        Output.line("\nrunning in the background: synapse-local status | logs | down --project \(folder)")
        return
      }
      // In the foreground the services' output is shown as it comes, prefixed with their names.
      let follower = Task {
        let files = assembly.specs.map { ($0.name.rawValue, assembly.logFolder + "/\($0.name.rawValue).log") }
        try? await LogFollower(files: files, prefixed: true, colour: isatty(1) == 1, output: context.output, time: context.time).run()
      }
      defer { follower.cancel() }
      try await launcher.supervise(assembly, keeper: DetachedProcess.ownExecutable) {
        Output.info("all services healthy; Ctrl-C or `synapse-local down` stops them")
      }
      Output.info("stopped")
    }
  }
}
