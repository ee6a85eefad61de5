import Foundation
import SynapseLocalSystem

/// A swap inside the running supervisor, from the order to the commit: the new engine's spec and
/// the plan (mode by the memory rule, a refused change of vector size), the swap itself, then
/// `synapse-local.yaml` and the generated files naming the new model. Nothing is left for the
/// client to finish, so a client that goes away cannot leave the stack and the files disagreeing.
public struct StackSwapper: Sendable {
  public var assembly: StackAssembly
  public var supervisor: Supervisor

  public init(assembly: StackAssembly, supervisor: Supervisor) {
    self.assembly = assembly
    self.supervisor = supervisor
  }

  /// What the swap would do; throws when it cannot be planned.
  public func plan(_ order: SwapOrder) async throws -> (plan: SwapPlan, spec: ServiceSpec) {
    let name = order.service
    guard name == .llm || name == .embedding else { throw SwapError.notSwappable(name) }
    if let context = order.context {
      guard name == .llm else { throw SwapError.contextOnlyForLLM }
      guard (256...1_048_576).contains(context) else { throw SwapError.contextOutOfRange }
    }
    let python = name == .embedding && assembly.configuration.embedding.engine == .llamaCpp ? await sentenceTransformersPython() : nil
    let (spec, changed) = try assembly.spec(
      for: name, ref: order.model, environment: assembly.context.environment, context: order.context, fallbackPython: python)
    guard let current = await supervisor.currentSpec(name) else { throw ControlError.notInStack(name) }
    let stackBytes = await supervisor.status().services.compactMap(\.rssBytes).reduce(0, +)
    let (hardware, measurements) = try await RecommendationRequest.machine(assembly.context, hardwareFile: nil)
    var plan = assembly.swapPlan(
      replacing: current, with: spec, configuration: changed, ref: order.model, forceHold: order.hold, hardware: hardware,
      stackBytes: stackBytes)
    if name == .llm,
      let speed = assembly.predictedSpeed(
        ref: order.model, path: spec.modelPath, configuration: changed, hardware: hardware, measurements: measurements)
    {
      plan.speed = speed
      let floor = order.minimumSpeed ?? Recommender.defaultMinimumSpeed
      if speed.generationTokensPerSecond < floor {
        plan.warnings.append(
          "\(order.model) is \(speed.source == .measured ? "measured" : "predicted") at \(SpeedEstimate.format(speed.generationTokensPerSecond)) here, under the \(SpeedEstimate.format(floor)) floor (--min-speed): chats will feel slow; `synapse-local recommend` names faster models"
        )
      }
    }
    if name == .llm { plan.chatTemplate = changed.llm.chatTemplate.isEmpty ? nil : changed.llm.chatTemplate }
    if name == .llm, changed.engine == .llamaCpp, let path = spec.modelPath,
      let file = try? GGUFReader.read(path: path, files: assembly.context.files),
      let warning = ChatTemplate.warning(file: file, model: order.model.description, configured: changed.llm.chatTemplate, suggestion: nil)
    {
      plan.warnings.append(warning)
    }
    if let refusal = plan.dimensionRefusal, !order.allowDimensionChange { throw SwapError.dimensionChange(refusal: refusal) }
    return (plan, spec)
  }

  /// Swaps, then commits the new model to the project's files.
  public func swap(_ order: SwapOrder) async throws -> (report: SwapReport, plan: SwapPlan) {
    let (plan, spec) = try await plan(order)
    var report = try await supervisor.swap(to: spec, mode: plan.mode)
    report.reason = plan.reason
    report.warnings = plan.warnings + report.warnings
    if plan.changesDimensions {
      // The swap is done: a database that cannot be asked must not make it look failed.
      do {
        report.reembed = try await assembly.bootstrap.vectorColumns()
      } catch {
        report.warnings.append("could not list the pgvector columns to re-embed: \(error)")
      }
    }
    do {
      try await commit(order, plan: plan)
    } catch {
      report.warnings.append(
        "the stack serves \(plan.model), but synapse-local.yaml could not be updated (\(error)): the next `up` would start the old model; set \(order.service.rawValue).model: \(order.model) by hand"
      )
    }
    return (report, plan)
  }

  /// The next `up` and `generate` use the new model: synapse-local.yaml, then the generated files.
  func commit(_ order: SwapOrder, plan: SwapPlan) async throws {
    let context = assembly.context
    let project = assembly.project
    // Read without the environment's binary overrides: they must not be written into the file.
    var configuration = try ProjectFile.load(project: project, environment: [:], files: context.files)
    if order.service == .llm {
      configuration.llm.model = order.model
      configuration.llm.servedName = plan.model
      configuration.llm.chatTemplate = plan.chatTemplate ?? ""
      if let context = order.context { configuration.llm.context = context }
      // LOCAL_LLM_TIMEOUT follows the new model's predicted speed.
      if let speed = plan.speed { configuration.llm.timeoutMs = LLMTimeout.milliseconds(speed: speed, context: configuration.llm.context) }
    } else {
      configuration.embedding.model = order.model
      configuration.embedding.servedName = plan.model
      if let dimensions = plan.dimensions { configuration.embedding.dimensions = dimensions }
      if let engine = plan.embeddingEngine { configuration.embedding.engine = engine }
    }
    let text = try ProjectFile.render(
      configuration, renderer: try TemplateRenderer.live(environment: context.environment, files: context.files))
    try context.files.write(text, to: ProjectFile.path(in: project))
    _ = try await ProjectGeneration(context: context, catalog: assembly.catalog).generate(project: project)
  }

  /// The Python that would run sentence-transformers here, when one is installed or configured.
  func sentenceTransformersPython() async -> String? {
    var configuration = assembly.configuration
    configuration.embedding.engine = .sentenceTransformers
    guard let platform = try? Platform.current() else { return nil }
    let resolution = await RuntimeResolver(context: assembly.context, platform: platform).resolve(
      configuration, userSet: [], lock: assembly.lock)
    return resolution.missing.contains(.embedding) ? nil : resolution.binaries.python
  }
}
