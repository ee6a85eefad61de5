import Foundation
import SynapseLocalSystem

/// `generate`, and the one way anything else generates: `.env`, the compose file and the embedding
/// server rendered from `synapse-local.yaml`. `up` uses it for files that are missing, and a swap
/// once it has committed the new model.
public struct ProjectGeneration: Sendable {
  public struct Result: Sendable {
    /// Per file: written, unchanged, kept (edited by hand); diffs with the password masked.
    public var outcomes: [GeneratedFileWriter.Outcome]
    /// What the user should hear about (files kept, programs missing for `up`).
    public var warnings: [String]
  }

  public var context: Context
  public var catalog: ModelCatalog

  public init(context: Context, catalog: ModelCatalog) {
    self.context = context
    self.catalog = catalog
  }

  /// Renders the project's files; `force` also replaces hand-edited ones, `dryRun` writes nothing
  /// (not even the database password) and fills each outcome's diff.
  public func generate(project: String, force: Bool = false, dryRun: Bool = false) async throws -> Result {
    let environment = context.environment
    let files = context.files
    let (configuration, lines) = try ProjectFile.loadWithLines(project: project, environment: environment, files: files)
    let file = ProjectFile.path(in: project)
    let unresolved = ProjectFile.referenceProblems(
      configuration, catalog: catalog, project: project, file: file, lines: lines, environment: environment, files: files)
    guard unresolved.isEmpty else { throw ProjectError.invalid(unresolved) }
    let planningElsewhere = !configuration.hardware.isEmpty
    let hardware: HardwareReport =
      planningElsewhere
      ? try HardwareReport.load(
        path: AbsolutePath.resolve(configuration.hardware, relativeTo: project, environment: environment), files: context.files)
      : try await HardwareDetector.detect(context)
    let resolver = try configuration.modelResolver(project: project, catalog: catalog, environment: environment, files: files)
    let state = configuration.stateFolder(project: project, environment: environment)
    let envFile = project + "/" + StackGenerator.envFile
    let password =
      dryRun
      ? DatabaseSecret.existing(state: state, envFile: envFile, files: files) ?? "generated-on-first-write"
      : try DatabaseSecret.loadOrCreate(state: state, envFile: envFile, files: files)
    var rendered = configuration
    rendered.paths.state = state
    let generator = StackGenerator(
      project: project, configuration: rendered, catalog: catalog, hardware: hardware, resolver: resolver,
      renderer: try TemplateRenderer.live(environment: environment, files: context.files), images: try context.resources.loadImages(),
      dbPassword: password,
      fileSystem: files)
    let generated: [GeneratedFile]
    do {
      generated = try generator.files()
    } catch let error as GenerateError {
      guard let role = error.missingModelRole else { throw error }
      let key = role + ".model"
      throw ProjectError.invalid([ProjectProblem(file: file, line: lines[key] ?? 0, key: key, message: error.description)])
    }
    var outcomes = try GeneratedFileWriter(project: project, state: state, files: files).write(generated, force: force, dryRun: dryRun)
    // Diffs go to the terminal and into logs: never with the password in them.
    for index in outcomes.indices { outcomes[index].diff = outcomes[index].diff?.replacingOccurrences(of: password, with: "********") }
    var warnings: [String] = []
    for outcome in outcomes where outcome.status == .kept && !dryRun {
      warnings.append(
        "\(outcome.path) was edited by hand (or not written by synapse-local): kept; `generate --diff` shows what would change, --force replaces it"
      )
    }
    return Result(outcomes: outcomes, warnings: warnings)
  }

  /// Generates only when a file the services need is missing (hand edits are kept either way).
  /// Returns whether it generated.
  public func generateIfMissing(project: String) async throws -> Bool {
    let needed = [StackGenerator.envFile, StackGenerator.embeddingFolder + "/embedding_server.py"]
    guard needed.contains(where: { !context.files.exists(project + "/" + $0) }) else { return false }
    _ = try await generate(project: project)
    return true
  }
}
