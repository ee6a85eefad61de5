import Foundation
import SynapseLocalSystem

/// `up`: the stack prepared (planned, installed, pulled, generated) and run, in the foreground
/// with the services' logs followed on the output, or detached under a supervisor of its own;
/// and that detached supervisor's side, which assembles what `up -d` prepared and supervises it.
public struct StackRunner: Sendable {
  /// How `up` ended.
  public enum Outcome: Sendable {
    /// `up -d` found the stack running already: what it is for is done.
    case alreadyRunning(pid: Int32, client: ControlClient)
    /// Started in the background, every service healthy.
    case detached(StackStatus)
    /// Run in the foreground until stopped.
    case stopped
  }

  public var context: Context

  public init(context: Context) {
    self.context = context
  }

  /// Prepares the project and runs its stack: detached (returning once every service is
  /// healthy, each change of state said on the output), or in the foreground until stopped, the
  /// services' output shown as it comes, prefixed with their names (coloured with `colour`).
  public func up(project: String, options: StackLauncher.Options, detach: Bool, colour: Bool) async throws -> Outcome {
    let (launcher, _) = try prepared()
    let context = launcher.context
    let assembly: StackAssembly
    do {
      assembly = try await launcher.prepare(project: project, options: options)
    } catch StackError.alreadyRunning(_, let pid) where detach {
      return .alreadyRunning(pid: pid, client: try ControlClient(project: project, context: context))
    }
    let output = context.output
    if detach {
      let time = context.time
      let began = time.now
      let status = try await launcher.startDetached(assembly, executable: DetachedProcess.ownExecutable, preload: options.preload) {
        states in
        let line = states.map { "\($0.0.rawValue) \($0.1.rawValue)" }.joined(separator: ", ")
        output.info("\(String(format: "%5.1f", time.seconds(since: began))) s  \(line)")
      }
      return .detached(status)
    }
    let follower = Task {
      let files = assembly.specs.map { ($0.name.rawValue, assembly.logFolder + "/\($0.name.rawValue).log") }
      try? await LogFollower(files: files, fileSystem: context.files, prefixed: true, colour: colour, output: output, time: context.time)
        .run()
    }
    defer { follower.cancel() }
    try await launcher.supervise(assembly, keeper: DetachedProcess.ownExecutable) {
      output.info("all services healthy; Ctrl-C or `synapse-local down` stops them")
    }
    output.info("stopped")
    return .stopped
  }

  /// The supervisor `up -d` started, after preparing the project: assembles the stack and runs
  /// it, telling `up -d` how its start goes on the pipe it inherited (`preload`: `up --preload`). Its log keeps every run, so
  /// each begins with a line saying which.
  public func superviseDetached(project: String, preload: Bool = false) async throws {
    let (launcher, startup) = try prepared()
    let context = launcher.context
    context.output.info("supervisor \(getpid()) starting the stack of \(project) at \(context.time.now.formatted(.iso8601))")
    var assembly: StackAssembly
    do {
      assembly = try await StackAssembly.assemble(project: project, context: context, catalog: launcher.catalog)
      if preload { assembly.preloadEngines() }
      // `up -d` converted it; a file removed since is made again, not failed on.
      _ = try assembly.prepareEmbeddingModel()
    } catch {
      startup.send(.failed("\(error)"))
      throw error
    }
    // From here on, supervise reports its own failures.
    try await launcher.supervise(assembly, keeper: DetachedProcess.ownExecutable, startup: startup)
  }

  /// The launcher, on a context whose environment no longer names the pipe to the `up -d` that
  /// started this supervisor (taken here, then kept from the services), and that pipe's writer.
  func prepared() throws -> (StackLauncher, StartupEvent.Writer) {
    var context = self.context
    let startup = StartupEvent.Writer(environment: context.environment)
    context.environment[StartupEvent.descriptorVariable] = nil
    return (StackLauncher(context: context, catalog: try context.resources.loadCatalog()), startup)
  }
}
