import Foundation
import SynapseLocalSystem

/// Chooses the engine, the chat model and the embedding model for a machine, by the rules in
/// docs/recommendation.md, and says why in plain words.
public struct Recommender: Sendable {
  public var catalog: ModelCatalog
  public var hardware: HardwareReport
  public var preference: Preference
  /// A catalog embedding model the user named instead of the rule's choice.
  public var embeddingOverride: String?
  /// A catalog chat model the project fixed (demo models included): planned, not chosen.
  public var llmOverride: String?
  /// An engine the project fixed: only plans on it are considered.
  public var engineOverride: Engine?
  /// A context asked for (`--context`, `llm.context`): plans use it instead of the default.
  public var contextOverride: Int?
  /// The slowest generation a chat should have (`--min-speed`): the best-rated model that reaches
  /// it is chosen; when none does, the fastest that fits.
  public var minimumSpeed: Double
  /// This machine's measured figures (`bench`, `tune`): used instead of predictions.
  public var measurements: [SpeedMeasurement]

  /// The guide's `LOCAL_LLM_CONTEXT_LENGTH`: what a chat with retrieved documents needs. A longer
  /// context costs KV-cache memory and prompt time on every request, so it is asked for
  /// (`--context`), never taken because it fits.
  public static let defaultContext = 4096
  /// The guide's CPU figure: about 10 tok/s is what a local chat needs to feel responsive.
  public static let defaultMinimumSpeed = 10.0

  public init(
    catalog: ModelCatalog, hardware: HardwareReport, preference: Preference = .balanced, embeddingOverride: String? = nil,
    llmOverride: String? = nil, engineOverride: Engine? = nil, contextOverride: Int? = nil,
    minimumSpeed: Double = Recommender.defaultMinimumSpeed, measurements: [SpeedMeasurement] = []
  ) {
    self.catalog = catalog
    self.hardware = hardware
    self.preference = preference
    self.embeddingOverride = embeddingOverride
    self.llmOverride = llmOverride
    self.engineOverride = engineOverride
    self.contextOverride = contextOverride
    self.minimumSpeed = minimumSpeed
    self.measurements = measurements
  }

  var speedModel: SpeedModel { SpeedModel(hardware: hardware, measurements: measurements) }

  static let defaultEmbedding = "all-minilm-l6-v2"

  /// A chat model with the plan that fits it here.
  struct Candidate {
    var model: CatalogModel
    var plan: EnginePlanner.Plan
    var speed: SpeedEstimate
    var reachesFloor: Bool
  }

  /// The measured figure for the file the plan serves, else the prediction with the plan's flags.
  func speed(_ model: CatalogModel, _ plan: EnginePlanner.Plan, _ speedModel: SpeedModel) -> SpeedEstimate {
    // The plan's flags as the project's `llm` settings: one prediction path for every caller.
    var llm = ProjectConfiguration.LLM()
    llm.threads = plan.llamaServer?.threads ?? hardware.cpu.effectiveCores
    llm.gpuLayers = plan.llamaServer?.nGPULayers ?? 0
    llm.context = plan.llamaServer?.ctxSize ?? plan.vllm?.maxModelLen ?? Self.defaultContext
    llm.tensorParallelSize = plan.vllm?.tensorParallelSize ?? 1
    let served = plan.engine == .vllm ? model.vllm?.repository : model.gguf?.file
    return speedModel.predict(ModelCost.of(model, engine: plan.engine), engine: plan.engine, llm: llm, served: served)
  }

  /// A model's plan on the engine asked for (vLLM first when none is), nil when it does not fit.
  func plan(_ model: CatalogModel, _ planner: EnginePlanner) -> EnginePlanner.Plan? {
    switch engineOverride {
    case .vllm: planner.vllm(model)
    case .llamaCpp: planner.llamaCpp(model)
    case nil: planner.vllm(model) ?? planner.llamaCpp(model)
    }
  }

  /// Every non-demo chat model that fits, best first. Within the same guide rating, a model that
  /// runs wholly on the GPU ranks above one split between GPU and CPU; then bigger models, then
  /// finer quantizations. `--prefer speed` ranks by the speed rating first; `--prefer code` puts
  /// code-focused models first.
  func rankedCandidates(_ planner: EnginePlanner) -> [Candidate] {
    let considered = catalog.models(.llm).filter { llmOverride.map($0.id.elementsEqual) ?? !$0.isDemo }
    let speedModel = speedModel
    let fitting = considered.compactMap { model -> Candidate? in
      plan(model, planner).map {
        let speed = speed(model, $0, speedModel)
        return Candidate(model: model, plan: $0, speed: speed, reachesFloor: speed.generationTokensPerSecond >= minimumSpeed)
      }
    }
    let ranked = fitting.sorted { a, b in
      let (x, y) = (a.model, b.model)
      let gpu = (a.plan.wholeOnGPU ? 1 : 0, b.plan.wholeOnGPU ? 1 : 0)
      switch preference {
      case .speed:
        return (x.speedRating, gpu.0, x.qualityStars, UInt64.max - x.sizeBytes) > (
          y.speedRating, gpu.1, y.qualityStars, UInt64.max - y.sizeBytes
        )
      case .code where x.isCodeModel != y.isCodeModel:
        return x.isCodeModel
      case .balanced, .quality, .code:
        return (x.qualityStars, gpu.0, x.shape.parameterCount, x.quantizationBits) > (
          y.qualityStars, gpu.1, y.shape.parameterCount, y.quantizationBits
        )
      }
    }
    // On vLLM the Q4 and Q5 entries of one model are the same 16-bit deployment: keep the first.
    var servedByVLLM: Set<String> = []
    return ranked.filter { candidate in
      guard candidate.plan.engine == .vllm, let repository = candidate.model.vllm?.repository else { return true }
      return servedByVLLM.insert(repository).inserted
    }
  }

  /// The embedding models the rule tries, best first, ending at the default.
  var embeddingCandidates: [CatalogModel] {
    let all = catalog.models(.embedding).filter { !$0.isDemo }
    let fallback = all.filter { $0.id == Self.defaultEmbedding }
    guard preference == .quality else { return fallback.isEmpty ? Array(all.prefix(1)) : fallback }
    let ranked = all.sorted {
      ($0.qualityStars, $0.dimensions ?? 0, $0.speedRating) > ($1.qualityStars, $1.dimensions ?? 0, $1.speedRating)
    }
    return ranked.filter { $0.id != Self.defaultEmbedding } + fallback
  }

  func planner(for embedding: CatalogModel) -> (EnginePlanner, Recommendation.Budget) {
    let effective = hardware.memory.effectiveBytes
    let margin = MemoryMargin.of(effective)
    // What `init` will run it with: llama.cpp where the model converts.
    let embeddingBytes = MemoryNeed.embeddingServer(embedding, engine: embedding.convertsToGGUF ? .llamaCpp : .sentenceTransformers)
    let reserved = embeddingBytes + catalog.headroom.postgresBytes + catalog.headroom.backendBytes + margin
    let left = effective > reserved ? effective - reserved : 0
    var planner = EnginePlanner(hardware: hardware, ramBudget: left)
    planner.ramBudget = left
    planner.contextOverride = contextOverride
    let budget = Recommendation.Budget(
      effectiveBytes: effective, embeddingServerBytes: embeddingBytes, postgresBytes: catalog.headroom.postgresBytes,
      backendBytes: catalog.headroom.backendBytes, marginBytes: margin, llmBytes: left, gpuBytes: planner.gpuBudget)
    return (planner, budget)
  }

  /// The best-ranked candidate that reaches the speed floor; when none does, the fastest.
  func choose(_ candidates: [Candidate]) -> Candidate? {
    candidates.first(where: \.reachesFloor)
      ?? candidates.max { $0.speed.generationTokensPerSecond < $1.speed.generationTokensPerSecond }
  }

  func chooseLLM(_ planner: EnginePlanner) -> (CatalogModel, EnginePlanner.Plan)? {
    choose(rankedCandidates(planner)).map { ($0.model, $0.plan) }
  }

  public func recommend() throws -> Recommendation {
    if let id = llmOverride { _ = try catalog.model(id: id, role: .llm) }
    var embeddingOptions = embeddingCandidates
    if let id = embeddingOverride { embeddingOptions = [try catalog.model(id: id, role: .embedding)] }
    guard let baselineEmbedding = embeddingOptions.last else {
      throw RecommendationError.nothingFits("the catalog has no embedding model")
    }
    let (baselinePlanner, baselineBudget) = planner(for: baselineEmbedding)
    guard let (baselineModel, _) = chooseLLM(baselinePlanner) else {
      if engineOverride == .vllm, let reason = baselinePlanner.vllmIneligibility {
        throw RecommendationError.nothingFits(
          "the engine is set to vllm, which cannot run on this machine: \(reason). Use llama.cpp (engine: llama.cpp), or plan for the GPU server with --hardware FILE."
        )
      }
      if let id = llmOverride, let model = try? catalog.model(id: id, role: .llm) {
        let needed = MemoryEstimate.llamaCpp(model, context: 4096).totalBytes
        let on = engineOverride.map { " on \($0.rawValue)" } ?? ""
        let why =
          engineOverride == .vllm
          ? (baselinePlanner.vllmIneligibility ?? "its vLLM deployment does not fit the GPU memory")
          : "it needs \(ByteCount.format(needed)) at 4096 context and \(ByteCount.format(baselineBudget.llmBytes + baselinePlanner.gpuBudget)) of RAM and VRAM is left for it"
        throw RecommendationError.nothingFits(
          "\(model.title) cannot run\(on) on this machine: \(why). Choose another model (synapse-local recommend) or engine.")
      }
      throw RecommendationError.nothingFits(nothingFitsMessage(baselinePlanner, baselineBudget))
    }
    // The best embedding model that leaves the chat model choice as it is with the default one.
    for embedding in embeddingOptions {
      let (planner, budget) = planner(for: embedding)
      guard let (model, plan) = chooseLLM(planner), model.id == baselineModel.id else { continue }
      return build(model: model, plan: plan, embedding: embedding, planner: planner, budget: budget, triedEmbeddings: embeddingOptions)
    }
    throw RecommendationError.nothingFits(nothingFitsMessage(baselinePlanner, baselineBudget))
  }

  func build(
    model: CatalogModel, plan: EnginePlanner.Plan, embedding: CatalogModel, planner: EnginePlanner,
    budget: Recommendation.Budget, triedEmbeddings: [CatalogModel]
  ) -> Recommendation {
    let explainer = RecommendationExplainer(
      hardware: hardware, planner: planner, budget: budget, preference: preference, speedModel: speedModel, minimumSpeed: minimumSpeed)
    // A named model is the only one planned; the others are still listed, ranked as usual.
    var unnamed = self
    unnamed.llmOverride = nil
    let candidates = unnamed.rankedCandidates(planner)
    let chosen =
      rankedCandidates(planner).first { $0.model.id == model.id }
      ?? Candidate(
        model: model, plan: plan, speed: speed(model, plan, speedModel), reachesFloor: false)
    var reasons = explainer.memoryReasons(embedding: embedding)
    reasons.append(explainer.engineReason(model: model, plan: plan))
    reasons.append(explainer.modelReason(model: model, plan: plan, named: llmOverride != nil))
    reasons.append(explainer.speedReason(chosen: chosen, candidates: candidates, named: llmOverride != nil))
    reasons += explainer.flagReasons(model: model, plan: plan, speed: chosen.speed)
    reasons.append(explainer.embeddingReason(chosen: embedding, tried: triedEmbeddings, overridden: embeddingOverride != nil))

    let chosenRank = candidates.firstIndex { $0.model.id == model.id } ?? 0
    var alternatives: [Recommendation.Alternative] = candidates.filter { $0.model.id != model.id }.prefix(3).map { candidate in
      let rank = candidates.firstIndex { $0.model.id == candidate.model.id } ?? 0
      let note: String =
        if llmOverride != nil {
          "fits; not planned, as --llm or the project names the chat model"
        } else if rank < chosenRank {
          // Ranked above the chosen model, so it missed the floor (the chosen is the first to reach it, or the fastest).
          "fits and is rated higher, but predicted at \(SpeedEstimate.format(candidate.speed.generationTokensPerSecond)), under the \(SpeedEstimate.format(minimumSpeed)) floor (--min-speed)"
        } else {
          "fits, ranked lower for --prefer \(preference.rawValue)"
        }
      return .init(
        id: candidate.model.id, title: candidate.model.title(for: candidate.plan.engine), engine: candidate.plan.engine,
        estimateBytes: candidate.plan.estimate.totalBytes, speed: candidate.speed, note: note)
    }
    let fittingIDs = Set(candidates.map(\.model.id))
    for other in catalog.models(.llm) where !other.isDemo && !fittingIDs.contains(other.id) {
      // Left out as the vLLM twin of a listed entry (Q4 and Q5 are one 16-bit deployment there)?
      if let twinPlan = self.plan(other, planner), twinPlan.engine == .vllm, let repository = other.vllm?.repository,
        let twin = candidates.first(where: { $0.plan.engine == .vllm && $0.model.vllm?.repository == repository })
      {
        alternatives.append(
          .init(
            id: other.id, title: other.title(for: .vllm), engine: nil, estimateBytes: twinPlan.estimate.totalBytes, speed: nil,
            note: "fits; on vllm it is the same 16-bit deployment (\(repository)) as \(twin.model.id), which stands for both"))
        continue
      }
      let needed = MemoryEstimate.llamaCpp(other, context: 4096).totalBytes
      alternatives.append(
        .init(
          id: other.id, title: other.title, engine: nil, estimateBytes: needed, speed: nil,
          note:
            "does not fit: needs \(ByteCount.format(needed)) at 4096 context, \(ByteCount.format(budget.llmBytes + planner.gpuBudget)) of RAM and VRAM is available"
        ))
    }
    let repository = model.repository(for: plan.engine) ?? ""
    return Recommendation(
      engine: plan.engine, preference: preference,
      llm: .init(
        id: model.id, name: model.name, title: model.title(for: plan.engine), repository: repository,
        path: plan.engine == .llamaCpp ? model.gguf?.file : nil, estimateBytes: plan.estimate.totalBytes, estimate: plan.estimate,
        speed: chosen.speed),
      embedding: .init(
        id: embedding.id, name: embedding.name, repository: embedding.repository ?? "", dimensions: embedding.dimensions ?? 0,
        ramBytes: MemoryNeed.embeddingServer(embedding, engine: embedding.convertsToGGUF ? .llamaCpp : .sentenceTransformers)),
      llamaServer: plan.llamaServer, vllm: plan.vllm, budget: budget, minimumSpeed: minimumSpeed,
      reachesMinimumSpeed: chosen.speed.generationTokensPerSecond >= minimumSpeed, reasons: reasons, alternatives: alternatives,
      warnings: hardware.warnings)
  }

  func nothingFitsMessage(_ planner: EnginePlanner, _ budget: Recommendation.Budget) -> String {
    let smallest = catalog.models(.llm).filter { !$0.isDemo }.min { $0.sizeBytes < $1.sizeBytes }
    let demos = catalog.models(.llm).filter(\.isDemo).filter {
      MemoryEstimate.llamaCpp($0, context: 4096).totalBytes <= budget.llmBytes + planner.gpuBudget
    }
    var message =
      "no catalog chat model fits this machine: \(ByteCount.format(budget.llmBytes)) of memory is left for it (effective \(ByteCount.format(budget.effectiveBytes)) minus \(ByteCount.format(budget.effectiveBytes - min(budget.effectiveBytes, budget.llmBytes))) for the embedding server, PostgreSQL, the backend and a margin)"
    if let smallest {
      let estimate = MemoryEstimate.llamaCpp(smallest, context: 4096).totalBytes
      let others = budget.embeddingServerBytes + budget.postgresBytes + budget.backendBytes
      let needed = MemoryMargin.totalNeeded(forUsable: estimate + others)
      message +=
        "; the smallest, \(smallest.title), needs \(ByteCount.format(estimate)) at 4096 context, which takes at least \(ByteCount.format(needed)) of effective memory"
    }
    message += ". Free memory or raise the container's limit"
    if let demo = demos.first { message += ", or try the stack with the demo profile's \(demo.title)" }
    return message + "."
  }
}
