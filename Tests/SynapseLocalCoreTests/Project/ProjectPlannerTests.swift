import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `init`'s plan on described hardware: the keys a profile or a flag fixes are kept as given, every
/// other model and tuning key comes from the recommendation, and no program is looked up (which
/// program runs is `up`'s decision, RuntimeResolverTests). Expected models are the decision table's (RecommendationTableTests), worked out by hand.
@Suite("Project planner")
struct ProjectPlannerTests {
  static let rtx4090 = Machine.gpu("NVIDIA GeForce RTX 4090", totalMiB: 24564, freeMiB: 23592, capability: "8.9")

  func plan(_ start: ProjectConfiguration = ProjectConfiguration(), fixed: Set<String> = [], on hardware: HardwareReport) throws
    -> ProjectPlanner.Plan
  {
    try ProjectPlanner(catalog: try Fixtures.catalog(), hardware: hardware).plan(start, fixed: fixed)
  }

  /// The flags `init` was given, applied and fixed as it applies them.
  func flags(_ values: [String: String]) throws -> (ProjectConfiguration, Set<String>) {
    var start = ProjectConfiguration()
    for (key, value) in values {
      let problem = ProjectSchema.apply(value, to: key, in: &start)
      try #require(problem == nil, "\(key): \(problem ?? "")")
    }
    return (start, Set(values.keys))
  }

  @Test func unfixedKeysComeFromTheRecommendation() throws {
    let plan = try plan(on: Machine.cpu(memoryGiB: 16))
    let c = plan.configuration
    let recommendation = try #require(plan.recommendation)
    let flags = try #require(recommendation.llamaServer)
    #expect(c.engine == .llamaCpp)
    // 16 GiB holds Llama 3.1 8B, but 8 cores (estimated 40 GB/s) generate only about 7 tok/s with
    // it: the best-rated model that reaches the 10 tok/s floor is Llama 3.2 3B Q5.
    #expect(c.llm.model == "llama-3.2-3b-q5")
    #expect(c.llm.servedName == "Llama-3.2-3B-Instruct")
    #expect(c.llm.context == flags.ctxSize && c.llm.context == Recommender.defaultContext)
    #expect(c.llm.threads == 8)
    #expect(c.llm.gpuLayers == 0)
    #expect(c.llm.timeoutMs == LLMTimeout.milliseconds(speed: recommendation.llm.speed, context: c.llm.context))
    #expect(c.embedding.model == "all-minilm-l6-v2")
    #expect(c.embedding.servedName == "all-MiniLM-L6-v2")
    #expect(c.embedding.dimensions == 384)
  }

  @Test func aProfilesKeysWinOverTheRecommendation() throws {
    let gpuMachine = Machine.cpu(memoryGiB: 64, gpus: [Self.rtx4090], cuda: "12.4")
    #expect(try plan(on: gpuMachine).configuration.engine == .vllm, "without the profile this machine gets vLLM")

    // cpu-laptop fixes engine: llama.cpp, prefer: speed and llm.gpu_layers: 0.
    let (start, lines) = try Profiles(folder: Fixtures.share + "/profiles", files: try Fixtures.shareFiles()).load(
      "cpu-laptop", over: ProjectConfiguration())
    #expect(Set(lines.keys) == ["engine", "prefer", "llm.gpu_layers"])
    let plan = try plan(start, fixed: Set(lines.keys), on: gpuMachine)
    let c = plan.configuration
    let recommendation = try #require(plan.recommendation)
    #expect(c.profile == "cpu-laptop")
    #expect(c.engine == .llamaCpp && recommendation.engine == .llamaCpp)
    #expect(c.prefer == .speed)
    #expect(c.llm.gpuLayers == 0)
    #expect((recommendation.llamaServer?.nGPULayers ?? 0) > 0, "the recommendation would have used the GPU")
    // The rest is the recommendation's: --prefer speed picks the fastest model.
    #expect(c.llm.model == "llama-3.2-3b-q4" && c.llm.model == .catalog(recommendation.llm.id))
    #expect(c.llm.context == recommendation.llamaServer?.ctxSize)
  }

  @Test func flagsKeepTheirValuesAndTheRestIsPlannedAroundThem() throws {
    let (start, fixed) = try flags([
      "llm.context": "2048", "llm.threads": "3", "llm.served_name": "house-model", "embedding.model": "bge-small-en-v1.5",
    ])
    let plan = try plan(start, fixed: fixed, on: Machine.cpu(memoryGiB: 16))
    let c = plan.configuration
    #expect(c.llm.context == 2048)
    #expect(plan.recommendation?.llamaServer?.ctxSize == 2048, "the recommendation plans at the fixed context")
    #expect(c.llm.threads == 3)
    #expect(plan.recommendation?.llamaServer?.threads == 8)
    #expect(c.llm.servedName == "house-model")
    #expect(c.llm.model == "llama-3.2-3b-q5")
    // A fixed catalog embedding model still takes its name and size from the catalog.
    #expect(c.embedding.model == "bge-small-en-v1.5")
    #expect(c.embedding.servedName == "bge-small-en-v1.5")
    #expect(c.embedding.dimensions == 384)
    let speed = try #require(plan.recommendation).llm.speed
    #expect(c.llm.timeoutMs == LLMTimeout.milliseconds(speed: speed, context: 2048))
  }

  @Test func aChatModelFromOutsideTheCatalogIsNotPlanned() throws {
    let (start, fixed) = try flags(["llm.model": "acme/Tiny-GGUF/tiny.Q4_K_M.gguf@v2"])
    let plan = try plan(start, fixed: fixed, on: Machine.cpu(memoryGiB: 16, cores: 6))
    let c = plan.configuration
    #expect(plan.recommendation == nil)
    #expect(c.llm.model == "acme/Tiny-GGUF/tiny.Q4_K_M.gguf@v2")
    #expect(c.llm.servedName == "tiny.Q4_K_M")
    #expect(c.llm.threads == 6)
    #expect(c.llm.context == ProjectConfiguration().llm.context)
    #expect(c.llm.timeoutMs == ProjectConfiguration().llm.timeoutMs)
    #expect(c.embedding.model == "all-minilm-l6-v2" && c.embedding.dimensions == 384)
  }

  @Test func anUnknownCatalogModelGivenAsAFlagIsRefused() throws {
    let (start, fixed) = try flags(["llm.model": "llama-9-giant"])
    let error = #expect(throws: CatalogError.self) { try plan(start, fixed: fixed, on: Machine.cpu(memoryGiB: 16)) }
    guard case .unknownModel(let id, let role, let known)? = error else { return }
    #expect(id == "llama-9-giant" && role == .llm)
    #expect(known.contains("llama-3.1-8b-q5") && !known.contains("all-minilm-l6-v2"))
  }

  /// init writes no PATH look-ups: a program found now would freeze one machine's path into the
  /// project; only a binary given as a flag is kept.
  @Test func programsAreNotLookedUpOnlyGivenOnesKept() throws {
    let (start, fixed) = try flags(["binaries.python": "python3.12", "binaries.pg_bin": "/opt/pg/bin"])
    let kept = try plan(start, fixed: fixed, on: Machine.cpu(memoryGiB: 16)).configuration.binaries
    #expect(kept.python == "python3.12")
    #expect(kept.pgBin == "/opt/pg/bin")
    #expect(kept.llamaServer == "llama-server")
    let text = ProjectFile.binariesBlock(kept)
    #expect(text.contains("python: python3.12") && text.contains("pg_bin: /opt/pg/bin") && !text.contains("llama_server"))
    #expect(ProjectFile.binariesBlock(ProjectConfiguration().binaries).hasPrefix("# binaries:"))
  }

  @Test func nothingFoundLeavesEveryBinaryAsWritten() throws {
    let binaries = try plan(on: Machine.cpu(memoryGiB: 16)).configuration.binaries
    #expect(binaries == ProjectConfiguration().binaries)
    #expect(binaries.llamaServer == "llama-server" && binaries.python == "python3" && binaries.pgBin == "/usr/lib/postgresql/16/bin")
  }
}
