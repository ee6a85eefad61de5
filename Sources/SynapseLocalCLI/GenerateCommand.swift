import ArgumentParser
import Foundation
import SynapseLocalCore

struct GenerateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Render .env, docker-compose.local.yml and services/embedding/ from synapse-local.yaml.",
    discussion: """
      Files are rendered from templates/ and written atomically into the project folder:
        .env                      the backend's settings (mode 0600: it holds the database password)
        docker-compose.local.yml  db, llm, embedding, backend and frontend for Docker Compose
        services/embedding/       the embedding server, its requirements.txt and Dockerfile

      The database password is generated once (in the state folder) and kept across runs. A file \
      edited by hand since it was generated is kept, not overwritten, unless --force; --diff shows \
      what would change and writes nothing. The compose file names the models' snapshot files, so \
      the models must be in the store first (synapse-local pull, or models import).

      Examples:
        synapse-local generate
        synapse-local generate --project ~/synapse-demo --diff
        synapse-local generate --json
      """)

  @Option(name: .long, help: "The project folder (with synapse-local.yaml).")
  var project = "."

  @Flag(name: .long, help: "Show what would change as a unified diff; write nothing.")
  var diff = false

  @Flag(name: .long, help: "Also overwrite files edited by hand.")
  var force = false

  @Flag(name: .long, help: "Print each file with its status (written, unchanged, kept) as JSON.")
  var json = false

  @Flag(name: .long, help: "Print nothing but warnings and errors.")
  var quiet = false

  func run() async throws {
    try await reportingErrors {
      let environment = ProcessInfo.processInfo.environment
      let folder = AbsolutePath.resolve(project, relativeTo: AbsolutePath.currentDirectory, environment: environment)
      let (configuration, lines) = try ProjectFile.loadWithLines(project: folder, environment: environment)
      let file = ProjectFile.path(in: folder)
      let locator = ResourceLocator.forCommand()
      let catalog = try locator.loadCatalog()
      let unresolved = ProjectFile.referenceProblems(configuration, catalog: catalog, project: folder, file: file, lines: lines, environment: environment)
      guard unresolved.isEmpty else { throw ProjectError.invalid(unresolved) }
      let planningElsewhere = !configuration.hardware.isEmpty
      let hardware: HardwareReport =
        planningElsewhere
        ? try HardwareReport.load(path: absolute(configuration.hardware, in: folder, environment))
        : try await HardwareDetector.detect(.live())
      let resolver = try configuration.modelResolver(project: folder, catalog: catalog, environment: environment)
      let state = configuration.stateFolder(project: folder, environment: environment)
      let password =
        diff
        ? DatabaseSecret.existing(state: state, envFile: folder + "/" + StackGenerator.envFile) ?? "generated-on-first-write"
        : try DatabaseSecret.loadOrCreate(state: state, envFile: folder + "/" + StackGenerator.envFile)
      var renderedConfiguration = configuration
      renderedConfiguration.paths.state = state
      let generator = StackGenerator(
        project: folder, configuration: renderedConfiguration, catalog: catalog, hardware: hardware, resolver: resolver,
        renderer: try TemplateRenderer.live(environment: environment), dbPassword: password)
      let files: [GeneratedFile]
      do {
        files = try generator.files()
      } catch GenerateError.modelNotInStore(let role, let ref) {
        let key = role + ".model"
        throw ProjectError.invalid([ProjectProblem(file: file, line: lines[key] ?? 0, key: key, message: GenerateError.modelNotInStore(role: role, ref: ref).description)])
      }
      var outcomes = try GeneratedFileWriter(project: folder, state: state).write(files, force: force, dryRun: diff)
      // Diffs go to the terminal and into logs: never with the password in them.
      for index in outcomes.indices { outcomes[index].diff = outcomes[index].diff?.replacingOccurrences(of: password, with: "********") }
      if !planningElsewhere {
        for problem in BinaryLocator(environment: environment).problems(configuration.binaries, engine: configuration.engine) {
          Output.warning("\(file):\(lines[problem.key] ?? 0): \(problem.key): \(problem.message) (needed by `up`, not by Docker Compose)")
        }
      }
      for outcome in outcomes where outcome.status == .kept && !diff {
        Output.warning("\(outcome.path) was edited by hand (or not written by synapse-local): kept; `generate --diff` shows what would change, --force replaces it")
      }
      if quiet { return }
      if json { return try Output.json(outcomes.map { JSONOutcome(path: $0.path, status: diff && $0.status == .written ? "would_write" : $0.status.rawValue) }) }
      report(outcomes)
    }
  }

  struct JSONOutcome: Encodable {
    var path: String
    var status: String
  }

  func report(_ outcomes: [GeneratedFileWriter.Outcome]) {
    for outcome in outcomes {
      if diff {
        if let text = outcome.diff, !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)) }
        continue
      }
      switch outcome.status {
      case .written: Output.line("wrote      \(outcome.path)")
      case .unchanged: Output.line("unchanged  \(outcome.path)")
      case .kept: Output.line("kept       \(outcome.path)")
      }
    }
    if diff && outcomes.allSatisfy({ $0.diff?.isEmpty ?? true }) { Output.line("no changes") }
  }

  func absolute(_ path: String, in folder: String, _ environment: [String: String]) -> String {
    AbsolutePath.resolve(path, relativeTo: folder, environment: environment)
  }
}
