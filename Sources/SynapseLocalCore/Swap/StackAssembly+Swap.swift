import Foundation
import SynapseLocalSystem

/// What a swap needs from the project: the service's spec for another model, and the plan.
extension StackAssembly {
  /// The spec of `service` (llm or embedding) serving `ref` instead: the plan with that model and
  /// its served name (and vector size) changed, on a new internal port.
  /// `fallbackPython`: a Python with sentence-transformers, which serves an embedding model that
  /// llama.cpp cannot (a Dense layer, another architecture); without it such a swap is refused.
  public func spec(
    for service: ServiceName, ref reference: ModelReference, environment: [String: String], context: Int? = nil,
    fallbackPython: String? = nil
  ) throws -> (ServiceSpec, ProjectConfiguration) {
    guard service == .llm || service == .embedding else {
      throw SwapError.noSpecFor(service)
    }
    let role: ModelRole = service == .llm ? .llm : .embedding
    var changed = configuration
    // A local file with a catalog model's bytes is that model: it takes the catalog's served name.
    let entry: CatalogModel? =
      switch reference {
      case .catalog(let id, _): try catalog.model(id: id, role: role)
      case .local(let path):
        catalog.model(
          holding: AbsolutePath.resolve(path, relativeTo: project, environment: environment), role: role, files: self.context.files)
      case .hub: nil
      }
    let name = entry?.name ?? reference.derivedName
    // The lock as it is now: `swap` may just have pulled the model.
    let resolver = try changed.modelResolver(project: project, catalog: catalog, environment: environment, files: self.context.files)
    let resolved = try resolver.resolve(reference, role: role, engine: changed.engine)
    if service == .llm {
      changed.llm.model = reference
      changed.llm.servedName = name
      // The new model's template: the catalog's where its file carries none, else the file's own.
      changed.llm.chatTemplate = entry?.chatTemplate ?? ""
      if let context { changed.llm.context = context }
    } else {
      changed.embedding.model = reference
      changed.embedding.servedName = name
      guard let dimensions = entry?.dimensions ?? EmbeddingDimensions.read(folder: resolved.hostPath, files: self.context.files) else {
        throw SwapError.unknownDimensions(model: reference, folder: resolved.hostPath)
      }
      changed.embedding.dimensions = dimensions
    }
    // llama.cpp serves the new embedding model from its conversion, made now.
    struct NotConvertible: Error { var message: String }
    var embeddingFile = (path: embeddingModel.hostPath, made: false, context: 512)
    if service == .embedding {
      do {
        embeddingFile = try Self.embeddingFile(resolved, configuration: changed, context: self.context) { NotConvertible(message: $0) }
      } catch let error as NotConvertible {
        guard let fallbackPython else {
          throw SwapError.embeddingNotConvertible(reason: error.message)
        }
        changed.embedding.engine = .sentenceTransformers
        changed.binaries.python = fallbackPython
        embeddingFile = (resolved.hostPath, false, 0)
      }
    }
    var planner = ServicePlanner(
      configuration: changed, project: project, llmPath: service == .llm ? resolved.hostPath : llmModel.hostPath,
      embeddingPath: embeddingFile.path, store: store, database: bootstrap.layout,
      env: [:],
      baseEnvironment: environment)
    planner.embeddingContext = embeddingFile.context
    planner.enginePorts = [service: try self.context.ports.freePort()]
    guard var spec = planner.services().first(where: { $0.name == service }) else {
      throw SwapError.notInPlan(service)
    }
    // The same program serves the new model.
    spec.programSource = specs.first { $0.name == service }?.programSource
    return (spec, changed)
  }

  /// The swap's plan: its mode by the memory rule (`SwapModeRule`), the expected load against the
  /// hold limit, the vector sizes.
  public func swapPlan(
    replacing current: ServiceSpec, with replacement: ServiceSpec, configuration changed: ProjectConfiguration, ref: ModelReference,
    forceHold: Bool,
    hardware: HardwareReport, stackBytes: UInt64
  ) -> SwapPlan {
    let service = replacement.name
    let path = replacement.modelPath ?? ""
    // Read once: the memory estimate and the expected load both use it.
    let bytes = LoadTimes.size(of: path, files: context.files)
    let needed =
      service == .llm
      ? MemoryNeed.llm(
        ref: ref, engine: changed.engine, context: changed.llm.context, tensorParallel: changed.llm.tensorParallelSize, catalog: catalog,
        path: path, files: context.files)?
        .totalBytes
      : MemoryNeed.embedding(ref: ref, catalog: catalog, weightsBytes: bytes, engine: changed.embedding.engine)
    let (mode, reason) = SwapModeRule.decide(
      .init(
        forceHold: forceHold, engine: service == .llm ? changed.engine : .llamaCpp,
        gpuOffload: service == .llm && changed.engine == .llamaCpp && changed.llm.gpuLayers > 0, gpus: hardware.gpus, neededBytes: needed,
        memory: hardware.memory, stackBytes: stackBytes, model: replacement.model ?? ref.description))
    let (expected, measured) = LoadTimes.expected(
      file: LoadTimes.fileName(state: state), files: context.files, modelPath: path, bytes: bytes, engine: changed.engine,
      role: service == .llm ? .llm : .embedding)
    let hold = Double(replacement.holdLimit.components.seconds)
    let warnings = [
      SwapPlan.holdWarning(
        service: service, model: replacement.model ?? ref.description, mode: mode, expectedSeconds: expected, measured: measured,
        holdSeconds: hold)
    ].compactMap { $0 }
    var plan = SwapPlan(
      service: service, from: current.model, model: replacement.model ?? ref.description, mode: mode, reason: reason,
      expectedLoadSeconds: (expected * 10).rounded() / 10,
      loadMeasured: measured, holdLimitSeconds: hold, warnings: warnings)
    if service == .embedding {
      if case .embedding(_, let dimensions) = current.health { plan.currentDimensions = dimensions }
      plan.dimensions = changed.embedding.dimensions
      plan.embeddingEngine = changed.embedding.engine
      if changed.embedding.engine != configuration.embedding.engine {
        plan.warnings.append(
          "\(plan.model) is served by \(changed.embedding.engine.rawValue) (llama.cpp cannot serve it): embedding.engine changes with the swap"
        )
      }
    }
    return plan
  }
}
