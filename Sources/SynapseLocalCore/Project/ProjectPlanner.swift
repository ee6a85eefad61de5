import Foundation
import SynapseLocalSystem

/// `init`'s decisions: starts from defaults, a profile and flags (the keys they fix are kept), and
/// fills every other model and tuning key from the recommendation for the hardware.
public struct ProjectPlanner: Sendable {
  public var catalog: ModelCatalog
  public var hardware: HardwareReport
  /// `--min-speed`: the recommendation's speed floor.
  public var minimumSpeed: Double
  /// This machine's measured speeds (`bench`, `tune`).
  public var measurements: [SpeedMeasurement]

  public init(
    catalog: ModelCatalog, hardware: HardwareReport, minimumSpeed: Double = Recommender.defaultMinimumSpeed,
    measurements: [SpeedMeasurement] = []
  ) {
    self.catalog = catalog
    self.hardware = hardware
    self.minimumSpeed = minimumSpeed
    self.measurements = measurements
  }

  public struct Plan: Sendable {
    public var configuration: ProjectConfiguration
    /// Nil when the chat model is not from the catalog (nothing to plan it with).
    public var recommendation: Recommendation?
  }

  /// `fixed` are the keys the profile or the flags set; they win over the recommendation.
  public func plan(_ start: ProjectConfiguration, fixed: Set<String>) throws -> Plan {
    var configuration = start
    let llmFromCatalog = catalogID(configuration.llm.model, role: .llm)
    let embeddingFromCatalog = catalogID(configuration.embedding.model, role: .embedding)
    if fixed.contains("llm.model") && llmFromCatalog == nil { try requireResolvable(configuration.llm.model, key: "llm.model", role: .llm) }
    if fixed.contains("embedding.model") && embeddingFromCatalog == nil {
      try requireResolvable(configuration.embedding.model, key: "embedding.model", role: .embedding)
    }

    var recommendation: Recommendation?
    if !fixed.contains("llm.model") || llmFromCatalog != nil {
      let recommender = Recommender(
        catalog: catalog, hardware: hardware, preference: configuration.prefer,
        embeddingOverride: fixed.contains("embedding.model") ? embeddingFromCatalog : nil,
        llmOverride: fixed.contains("llm.model") ? llmFromCatalog : nil,
        engineOverride: fixed.contains("engine") ? configuration.engine : nil,
        contextOverride: fixed.contains("llm.context") ? configuration.llm.context : nil, minimumSpeed: minimumSpeed,
        measurements: measurements)
      let chosen = try recommender.recommend()
      recommendation = chosen
      func set<Value>(_ key: String, _ path: WritableKeyPath<ProjectConfiguration, Value>, _ value: Value) {
        if !fixed.contains(key) { configuration[keyPath: path] = value }
      }
      set("engine", \.engine, chosen.engine)
      set("llm.model", \.llm.model, .catalog(chosen.llm.id))
      set("llm.served_name", \.llm.servedName, chosen.llm.name)
      // A GGUF without its own chat template is served with the one the catalog records.
      set("llm.chat_template", \.llm.chatTemplate, (try? catalog.model(id: chosen.llm.id))?.chatTemplate ?? "")
      if let flags = chosen.llamaServer {
        set("llm.context", \.llm.context, flags.ctxSize)
        set("llm.threads", \.llm.threads, flags.threads)
        set("llm.gpu_layers", \.llm.gpuLayers, flags.nGPULayers)
      }
      if let flags = chosen.vllm {
        set("llm.context", \.llm.context, flags.maxModelLen)
        set("llm.gpu_memory_utilization", \.llm.gpuMemoryUtilization, flags.gpuMemoryUtilization)
        set("llm.tensor_parallel_size", \.llm.tensorParallelSize, flags.tensorParallelSize)
        set("llm.gpu_layers", \.llm.gpuLayers, 0)
      }
      set("llm.threads", \.llm.threads, hardware.cpu.effectiveCores)
      set("llm.timeout_ms", \.llm.timeoutMs, LLMTimeout.milliseconds(speed: chosen.llm.speed, context: configuration.llm.context))
      set("embedding.model", \.embedding.model, .catalog(chosen.embedding.id))
    }
    if let id = catalogID(configuration.embedding.model, role: .embedding), let model = try? catalog.model(id: id, role: .embedding) {
      if !fixed.contains("embedding.served_name") { configuration.embedding.servedName = model.name }
      if !fixed.contains("embedding.dimensions"), let dimensions = model.dimensions { configuration.embedding.dimensions = dimensions }
      // By the numbers (docs/DECISIONS.md): llama.cpp where the model converts.
      if !fixed.contains("embedding.engine") { configuration.embedding.engine = model.convertsToGGUF ? .llamaCpp : .sentenceTransformers }
    } else if !fixed.contains("embedding.served_name") {
      configuration.embedding.servedName = configuration.embedding.model.derivedName
    }
    if recommendation == nil {
      // A model from outside the catalog: nothing to plan it with but the machine's cores.
      if !fixed.contains("llm.served_name") {
        configuration.llm.servedName = configuration.llm.model.derivedName
      }
      if !fixed.contains("llm.threads") { configuration.llm.threads = max(1, hardware.cpu.effectiveCores) }
    }
    return Plan(configuration: configuration, recommendation: recommendation)
  }

  /// The catalog id a REF names for `role`, or nil when it is not a catalog REF.
  func catalogID(_ ref: ModelReference, role: ModelRole) -> String? {
    ref.catalogID
  }

  /// A REF that is not from the catalog must at least parse; a catalog id must exist with the role.
  func requireResolvable(_ ref: ModelReference, key: String, role: ModelRole) throws {
    do {
      if case .catalog(let id, _) = ref { _ = try catalog.model(id: id, role: role) }
    } catch {
      throw ProjectError.invalid([ProjectProblem(file: "(flags)", line: 0, key: key, message: "\(error)")])
    }
  }

}
