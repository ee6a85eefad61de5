import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct InitCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Create the project file synapse-local.yaml, planned for this machine.",
    discussion: """
      Detects the hardware (or reads --hardware), starts from a profile if one is given, applies \
      the flags, and fills every other model and tuning key from `recommend`. Keys the profile or \
      a flag sets are kept as given. Every key is documented in docs/configuration.md.

      Profiles (profiles/*.yaml): cpu-laptop, gpu-workstation, vllm-server, and demo (the test \
      bed's tiny models, imported from local files: works with no internet).

      In a Synapse checkout (the project folder, or --synapse DIR) it finds the Node backend and \
      frontend: the workspace's packages (pnpm-workspace.yaml or package.json workspaces) and \
      apps/*, src/*. The backend depends on openai or reads LOCAL_LLM_ENDPOINT or DATABASE_URL; the \
      frontend has Vite, Next or another dev server, or sits in frontend/, web/ or client/. Their \
      package manager (from the lockfile), scripts, Node version and health route go under \
      backend: and frontend: (docs/synapse-app.md). With no app found, they are turned off.

      Asks before replacing an existing synapse-local.yaml only on a terminal; in scripts it \
      refuses unless --force.

      Examples:
        synapse-local init
        synapse-local init --profile demo --project ~/synapse-demo
        synapse-local init --synapse ~/src/synapse --mode production --set backend.migrate='pnpm run db:migrate'
        synapse-local init --engine llama.cpp --llm qwen-2.5-7b-q4 --prefer code --llm-port 9080
        synapse-local init --profile vllm-server --hardware gpu-server.json --project ./server
      """)

  @OptionGroup var project: ProjectOption

  @Option(name: .long, help: ArgumentHelp("Start from profiles/NAME.yaml.", valueName: "NAME"))
  var profile: String?

  @Option(name: .long, help: ArgumentHelp("Inference engine for the llm: llama.cpp or vllm.", valueName: "ENGINE"))
  var engine: Engine?

  @Option(name: .long, help: ArgumentHelp("The chat model (a REF).", valueName: "REF"))
  var llm: String?

  @Option(name: .long, help: ArgumentHelp("The embedding model (a REF).", valueName: "REF"))
  var embedding: String?

  @Option(name: .long, help: ArgumentHelp("Favour speed, quality or code (default: balanced).", valueName: "PREFERENCE"))
  var prefer: Preference?

  @Option(name: .long, help: ArgumentHelp("Plan for the machine described by this `detect --json` file.", valueName: "FILE"))
  var hardware: String?

  @Option(name: .customLong("llm-port"), help: ArgumentHelp("Port of LOCAL_LLM_ENDPOINT (default 8080).", valueName: "PORT"))
  var llmPort: String?
  @Option(name: .customLong("embedding-port"), help: ArgumentHelp("Port of LOCAL_EMBEDDING_ENDPOINT (default 8081).", valueName: "PORT"))
  var embeddingPort: String?
  @Option(name: .customLong("db-port"), help: ArgumentHelp("PostgreSQL's port (default 5432).", valueName: "PORT"))
  var dbPort: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The Synapse checkout, where the backend and frontend are found (default: the project folder). Written to paths.synapse.",
      valueName: "DIR"))
  var synapse: String?

  @Option(
    name: .customLong("backend-dir"),
    help: ArgumentHelp("The backend's folder, relative to the checkout (default: found; else src/api).", valueName: "DIR"))
  var backendDir: String?
  @Option(
    name: [.customLong("backend-start"), .customLong("backend-command")],
    help: ArgumentHelp("The command `up` runs for it (default: found, e.g. pnpm run dev).", valueName: "COMMAND"))
  var backendStart: String?
  @Option(name: .customLong("backend-port"), help: ArgumentHelp("Its port (default 3000).", valueName: "PORT"))
  var backendPort: String?
  @Option(name: .customLong("backend-health"), help: ArgumentHelp("Its health URL (default: the /health route found).", valueName: "URL"))
  var backendHealth: String?

  @Option(
    name: .customLong("frontend-dir"),
    help: ArgumentHelp("The frontend's folder, relative to the checkout (default: found; else src/web).", valueName: "DIR"))
  var frontendDir: String?
  @Option(
    name: [.customLong("frontend-start"), .customLong("frontend-command")],
    help: ArgumentHelp("The command `up` runs for it (default: found).", valueName: "COMMAND"))
  var frontendStart: String?
  @Option(name: .customLong("frontend-port"), help: ArgumentHelp("Its port (default 5173).", valueName: "PORT"))
  var frontendPort: String?
  @Option(name: .customLong("frontend-health"), help: ArgumentHelp("Its health URL.", valueName: "URL"))
  var frontendHealth: String?

  @Option(name: .long, help: ArgumentHelp("The llm's context in tokens (default: the guide's 4096).", valueName: "N"))
  var context: String?

  @OptionGroup var floor: SpeedFloorOption

  @Option(
    name: .long,
    help: ArgumentHelp("Run the apps' dev servers (dev, the guide's default) or build and start them (production).", valueName: "MODE"))
  var mode: AppMode?

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp(
      "Set any key of synapse-local.yaml, e.g. --set backend.migrate='pnpm run db:migrate' (repeatable; docs/configuration.md).",
      valueName: "KEY=VALUE"))
  var set: [String] = []

  @Flag(name: .customLong("no-frontend"), help: "Run and generate no frontend (frontend.enabled: false).")
  var noFrontend = false

  @Flag(name: .long, help: "Make the backend and frontend reachable from other hosts (model servers and the database stay on 127.0.0.1).")
  var expose = false

  @Flag(
    name: .customLong("expose-models"),
    help: "Make the model endpoints reachable from other hosts; they must send the key kept in the state folder (secrets/models-key).")
  var exposeModels = false

  @Flag(name: .long, help: "Replace an existing synapse-local.yaml without asking.")
  var force = false

  @Flag(name: .long, help: "Print the written configuration's main choices as JSON.")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let request = ProjectInitializer.Request(
        folder: project.folder(ctx), profile: profile, overrides: overrides, force: force, synapse: synapse.map(ctx.absolute),
        minimumSpeed: floor.minSpeed)
      let result = try await ProjectInitializer(context: ctx).initialize(request) { path in
        Terminal.isInteractive(ctx) && Terminal.confirm("\(path) exists. Replace it?", default: false)
      }
      for warning in result.apps.warnings + result.modelWarnings { ctx.output.warning(warning) }
      if json { return try ctx.output.json(result.summary) }
      InitSummary.print(result, project: project.project, to: ctx.output)
    }
  }
}
