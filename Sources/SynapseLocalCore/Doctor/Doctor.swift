import Foundation

/// `doctor` as a service: gathers the project once, runs every check that applies (the slow ones
/// with `deep`), and with `fix` applies the fixes that are safe and local: regenerating generated
/// files that were not edited by hand, removing stale pid files, making secrets private.
public struct Doctor: Sendable {
  public struct Request: Sendable {
    public var project: String
    public var deep = false
    public var fix = false

    public init(project: String) {
      self.project = project
    }
  }

  /// Every check, in the order they are reported. Their ids are a contract (docs/doctor.md).
  public static let checks: [any DoctorCheck] = [
    PlanMemoryCheck(), PlanThreadsCheck(), PlanDiskCheck(), ModelFilesCheck(), ModelDigestCheck(), EngineBinaryCheck(),
    ModelLoadCheck(), LocalModeEnvCheck(), EmbeddingDimensionsCheck(), ComposeEndpointsCheck(), BackendLocalModeCheck(), PortsCheck(),
    PidFilesCheck(), CrashLoopCheck(), LLMEndpointCheck(), EmbeddingEndpointCheck(), VectorColumnsCheck(), SpeedFloorCheck(),
    SecretFilesCheck(), BindCheck(), LicenceCheck(),
  ]

  public var context: Context
  public var catalog: ModelCatalog
  public var checks: [any DoctorCheck] = Doctor.checks

  public init(context: Context, catalog: ModelCatalog) {
    self.context = context
    self.catalog = catalog
  }

  public func run(_ request: Request) async throws -> DoctorReport {
    var subject = try await gather(request.project)
    var findings = await examine(subject, deep: request.deep)
    guard request.fix else { return DoctorReport(findings: findings) }
    let fixed = try await repair(subject, findings: findings)
    if !fixed.isEmpty {
      // What the fixes changed is checked again.
      subject = try await gather(request.project)
      findings = await examine(subject, deep: request.deep)
    }
    return DoctorReport(findings: findings, fixed: fixed)
  }

  func examine(_ subject: DoctorSubject, deep: Bool) async -> [DoctorFinding] {
    var findings: [DoctorFinding] = []
    for check in checks {
      if check.deep && !deep {
        findings.append(.skipped(check.id, "a slow check: synapse-local doctor --deep runs it"))
      } else {
        findings.append(await check.run(subject))
      }
    }
    return findings
  }

  /// The project as it is now; a project file that does not read is bad input (exit 1).
  public func gather(_ project: String) async throws -> DoctorSubject {
    let environment = context.environment
    let configuration = try ProjectFile.load(project: project, environment: environment, files: context.files)
    let envPath = project + "/" + StackGenerator.envFile
    let env = context.files.exists(envPath) ? ServicePlanner.readEnv(envPath) : nil
    let lock = try? ProjectLock.load(project + "/" + ProjectLock.fileName, files: context.files)
    let (hardware, measurements) = try await RecommendationRequest.machine(context, hardwareFile: nil)
    let state = configuration.stateFolder(project: project, environment: environment)
    let stack = try? ControlClient(state: state, project: project).runningStack()
    var subject = DoctorSubject(
      project: project, configuration: configuration, env: env, lock: lock, hardware: hardware, measurements: measurements, stack: stack,
      catalog: catalog, context: context)
    subject.resolveModels()
    return subject
  }

  /// The safe, local fixes for what failed or warned; one line per thing done (or not done).
  func repair(_ subject: DoctorSubject, findings: [DoctorFinding]) async throws -> [String] {
    let needing = Set(findings.filter { $0.status == .failure || $0.status == .warning }.map(\.check))
    var done: [String] = []
    if needing.contains("processes.pid-files") {
      for file in PidFilesCheck.scan(subject).stale {
        try? context.files.remove(file)
        done.append("removed the stale pid file \(file)")
      }
    }
    if needing.contains("security.files") {
      for path in [subject.envPath] + (context.files.list(subject.state + "/secrets") ?? []).map({ subject.state + "/secrets/" + $0 })
      where context.files.exists(path) {
        if (try? context.files.setPermissions(0o600, of: path)) != nil { done.append("made \(path) private (0600)") }
      }
    }
    if !needing.isDisjoint(with: ["env.local-mode", "embedding.dimensions", "endpoints.compose"]) {
      // Generated files come back from the plan; a file edited by hand is kept and said so.
      let result = try await ProjectGeneration(context: context, catalog: catalog).generate(project: subject.project)
      for outcome in result.outcomes where outcome.status != .unchanged {
        done.append(
          outcome.status == .kept
            ? "kept \(outcome.path): it was edited by hand (synapse-local generate --diff shows what the plan would write)"
            : "regenerated \(outcome.path)")
      }
    }
    if needing.contains("models.digest") {
      done.append(
        "not fixed: a damaged model file is fetched again by `synapse-local models rm REF` then `synapse-local pull`\(subject.projectFlag) (a download, so doctor does not start it)"
      )
    }
    return done
  }
}
