import Foundation
import SynapseLocalSystem

/// `swap SERVICE REF` from the client's side: the model fetched first if the store lacks it (with
/// progress here, where the user sees it), then the running supervisor plans and swaps.
public struct ModelSwap: Sendable {
  public var context: Context
  public var catalog: ModelCatalog

  public init(context: Context, catalog: ModelCatalog) {
    self.context = context
    self.catalog = catalog
  }

  /// `planned` hears the plan (mode and why, warnings) before the swap starts. Once the swap is
  /// committed, the lock's pins of models neither role uses any more are dropped (`pruned`), so
  /// a bundle does not carry them; `keepOld` keeps them.
  public func swap(
    _ order: SwapOrder, project: String, keepOld: Bool = false, planned: @Sendable (SwapPlan) -> Void = { _ in }
  ) async throws -> (report: SwapReport, plan: SwapPlan, pruned: [ProjectLock.Entry]) {
    let configuration = try ProjectFile.load(project: project, environment: context.environment, files: context.files)
    let client = ControlClient(state: configuration.stateFolder(project: project, environment: context.environment), project: project)
    // Running? (before any download)
    _ = try client.status()
    let role: ModelRole = order.service == .llm ? .llm : .embedding
    if case .local(let path) = order.model {
      // The engine would refuse it: say so before the running stack is touched.
      let absolute = AbsolutePath.resolve(path, relativeTo: project, environment: context.environment)
      if let problem = ModelFileCheck.problem(absolute, role: role, engine: configuration.engine, files: context.files) {
        throw SwapError.unservableFile(service: order.service, path: path, problem: problem)
      }
    } else {
      let resolver = try configuration.modelResolver(
        project: project, catalog: catalog, environment: context.environment, files: context.files)
      if (try? resolver.resolve(order.model, role: role, engine: configuration.engine)) == nil {
        context.output.info("\(order.model) is not in the store: pulling it first")
        let lock = ProjectLock.location(project: project, explicit: nil, files: context.files)
        var options = ModelFetcher.Options(lockPath: lock, configuration: configuration)
        options.role = role
        _ = try await ModelFetcher(context: context, catalog: catalog).pull([order.model], options: options)
      }
    }
    guard case .swapPlan(let plan) = try client.send(.planSwap(order), timeout: 60) else {
      throw SwapError.noPlan
    }
    planned(plan)
    guard case .swapped(let report, let final) = try client.send(.swap(order), timeout: 1800) else {
      throw SwapError.noReport
    }
    return (report, final, keepOld ? [] : try pruneLock(project: project))
  }

  /// The lock without the pins of models the project file (as the swap committed it) no longer
  /// names; what was dropped.
  func pruneLock(project: String) throws -> [ProjectLock.Entry] {
    guard let path = ProjectLock.location(project: project, explicit: nil, files: context.files), context.files.exists(path) else {
      return []
    }
    let configuration = try ProjectFile.load(project: project, environment: context.environment, files: context.files)
    var lock = try ProjectLock.load(path, files: context.files)
    let pruned = lock.pruneModels(unusedBy: configuration, catalog: catalog)
    if !pruned.isEmpty { try lock.save(path, files: context.files) }
    return pruned
  }
}
