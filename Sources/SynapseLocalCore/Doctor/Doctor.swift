import Foundation
import SynapseLocalSystem

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
    PlanMemoryCheck(), PlanVRAMCheck(), PlanThreadsCheck(), PlanDiskCheck(), ModelFilesCheck(), ModelDigestCheck(), EngineBinaryCheck(),
    ChatTemplateCheck(),
    ModelLoadCheck(), LocalModeEnvCheck(), EmbeddingDimensionsCheck(), ComposeEndpointsCheck(), BackendLocalModeCheck(), PortsCheck(),
    PidFilesCheck(), CrashLoopCheck(), GPUOffloadCheck(), LLMEndpointCheck(), EmbeddingEndpointCheck(), VectorColumnsCheck(),
    SpeedFloorCheck(), EngineSpeedCheck(),
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
    let (configuration, lines) = try ProjectFile.loadWithLines(project: project, environment: environment, files: context.files)
    let envPath = project + "/" + StackGenerator.envFile
    let env = context.files.exists(envPath) ? ServicePlanner.readEnv(envPath) : nil
    // A lock that does not read is bad input too: its pins name the programs doctor would run.
    let lock = try ProjectLock.load(project + "/" + ProjectLock.fileName, files: context.files)
    let (hardware, measurements) = try await RecommendationRequest.machine(context, hardwareFile: nil)
    let state = configuration.stateFolder(project: project, environment: environment)
    let stack = try? ControlClient(state: state, project: project).runningStack()
    var subject = DoctorSubject(
      project: project, configuration: configuration, env: env, lock: lock, hardware: hardware, measurements: measurements, stack: stack,
      catalog: catalog, context: context)
    subject.lines = lines
    subject.resolveModels()
    subject.runtimes = await subject.programs()
    return subject
  }

  /// A damaged model file fetched again from its recorded source, pinned at the locked commit. The
  /// damaged blob is set aside first (the store keeps a blob of the right size), and put back when
  /// the download fails, so nothing is lost; offline, only the command is given.
  func refetch(_ subject: DoctorSubject) async -> [String] {
    let environment = context.environment
    let lockPath = subject.project + "/" + ProjectLock.fileName
    guard let damaged = try? ModelDigestCheck.damaged(subject), !damaged.isEmpty else { return [] }
    let store = subject.configuration.storeRoot(project: subject.project, environment: environment)
    var done: [String] = []
    for entry in damaged {
      let ref = "\(entry.repository)/\(entry.path)@\(entry.commit)"
      let command = "synapse-local pull \(ref)\(subject.projectFlag) after moving the damaged blob aside"
      guard let id = try? RepositoryID(entry.repository) else { continue }
      if HubOffline.isSet(environment) {
        done.append("not fixed: \(entry.repository)/\(entry.path) is damaged and HF_HUB_OFFLINE is set; online: \(command)")
        continue
      }
      let files = context.files
      let blob = HubCache(root: store, files: files).blob(id, etag: entry.etag)
      let aside = blob + ".damaged"
      guard files.exists(blob), !files.exists(aside), (try? files.move(blob, to: aside)) != nil else {
        done.append("not fixed: \(blob) could not be set aside; \(command)")
        continue
      }
      do {
        _ = try await ModelFetcher(context: context, catalog: catalog).pull(
          [.hub(repository: entry.repository, path: entry.path, revision: entry.commit)], options: .init(lockPath: lockPath))
        try? files.remove(aside)
        done.append("fetched \(entry.repository)/\(entry.path) again from the Hub at its locked commit")
      } catch {
        try? files.remove(blob)
        try? files.move(aside, to: blob)
        done.append("not fixed: fetching \(entry.repository)/\(entry.path) failed (\(error)); \(command)")
      }
    }
    return done
  }

  /// The safe, local fixes for what failed or warned; one line per thing done (or not done).
  func repair(_ subject: DoctorSubject, findings: [DoctorFinding]) async throws -> [String] {
    let needing = Set(findings.filter { $0.status == .failure || $0.status == .warning }.map(\.check))
    var done: [String] = []
    // Pid files are touched only while nothing of the stack answers.
    if needing.contains("processes.pid-files") && subject.stack == nil {
      for file in PidFilesCheck.scan(subject).stale {
        if (try? context.files.remove(file)) != nil { done.append("removed the stale pid file \(file)") }
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
      do {
        let result = try await ProjectGeneration(context: context, catalog: catalog).generate(project: subject.project)
        for outcome in result.outcomes where outcome.status != .unchanged {
          done.append(
            outcome.status == .kept
              ? "kept \(outcome.path): it was edited by hand (synapse-local generate --diff shows what the plan would write)"
              : "regenerated \(outcome.path)")
        }
      } catch {
        done.append("not fixed: the generated files could not be regenerated (\(error))")
      }
    }
    if needing.contains("models.digest") || needing.contains("models.files") {
      done += await refetch(subject)
    }
    return done
  }
}
