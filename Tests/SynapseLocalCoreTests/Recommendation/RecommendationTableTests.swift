import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The recommendation as a decision table: hardware and preference in, choice out. Each expected
/// choice was worked out by hand from the rules in docs/recommendation.md and the catalog's figures
/// (budget = effective − MiniLM on llama.cpp 163 MiB (120 MiB server + 22.7 M parameters in F16) −
/// PostgreSQL 160 MiB − backend 256 MiB − max(512 MiB, 10%); chat model estimates at 4096 tokens: 3B Q4 2.91 GiB, 3B Q5 3.21, Qwen 7B 5.30, 8B Q4 5.81,
/// 8B Q5 6.61, Mixtral 26.86), not captured from the tool's output. The rows test the memory rule
/// alone (`--min-speed 0`); SpeedRecommendationTests add the speed floor.
@Suite("Recommendation decision table")
struct RecommendationTableTests {
  struct Row: CustomTestStringConvertible, Sendable {
    var label: String
    var hardware: HardwareReport
    var preference: Preference = .balanced
    var engine: Engine
    var llm: String
    var embedding: String = "all-minilm-l6-v2"
    var gpuLayers: Int? = nil
    var context: Int? = nil
    var tensorParallel: Int? = nil
    var threads: Int? = nil
    var testDescription: String { label }
  }

  static let rtx4090 = Machine.gpu("NVIDIA GeForce RTX 4090", totalMiB: 24564, freeMiB: 23592, capability: "8.9")

  static let rows: [Row] = [
    // CPU only: 48 GiB leaves 42.6 GiB, enough for Mixtral.
    Row(label: "48 GiB, CPU", hardware: Machine.cpu(memoryGiB: 48), engine: .llamaCpp, llm: "mixtral-8x7b-q4", gpuLayers: 0),
    // 16 GiB leaves 13.8 GiB: Llama 3.1 8B Q5 (★★★★★, bigger than Qwen).
    Row(label: "16 GiB, CPU", hardware: Machine.cpu(memoryGiB: 16), engine: .llamaCpp, llm: "llama-3.1-8b-q5", gpuLayers: 0, threads: 8),
    // 8.5 GiB leaves 7.08 GiB: 8B Q5 (6.61) fits.
    Row(label: "8.5 GiB, CPU", hardware: Machine.cpu(memoryGiB: 8.5), engine: .llamaCpp, llm: "llama-3.1-8b-q5"),
    // 7.75 GiB leaves 6.41 GiB: 8B Q4 (5.81) fits, Q5 (6.61) does not.
    Row(label: "7.75 GiB, CPU", hardware: Machine.cpu(memoryGiB: 7.75), engine: .llamaCpp, llm: "llama-3.1-8b-q4"),
    // 7 GiB leaves 5.73 GiB: Qwen (5.30) is the best that fits.
    Row(label: "7 GiB, CPU", hardware: Machine.cpu(memoryGiB: 7), engine: .llamaCpp, llm: "qwen-2.5-7b-q4"),
    // 6 GiB leaves 4.83 GiB: Llama 3.2 3B Q5 (3.21).
    Row(label: "6 GiB, CPU", hardware: Machine.cpu(memoryGiB: 6), engine: .llamaCpp, llm: "llama-3.2-3b-q5"),
    // 4.5 GiB leaves 3.43 GiB: Llama 3.2 3B Q5 (3.21). 4 GiB leaves 2.93 GiB: only 3B Q4 (2.91).
    Row(label: "4.5 GiB, CPU", hardware: Machine.cpu(memoryGiB: 4.5), engine: .llamaCpp, llm: "llama-3.2-3b-q5", context: 4096),
    Row(label: "4 GiB, CPU", hardware: Machine.cpu(memoryGiB: 4), engine: .llamaCpp, llm: "llama-3.2-3b-q4", context: 4096),
    Row(label: "16 GiB, --prefer code", hardware: Machine.cpu(memoryGiB: 16), preference: .code, engine: .llamaCpp, llm: "qwen-2.5-7b-q4"),
    Row(
      label: "16 GiB, --prefer speed", hardware: Machine.cpu(memoryGiB: 16), preference: .speed, engine: .llamaCpp, llm: "llama-3.2-3b-q4"),
    // A 64 GiB host whose container allows 8.5 GiB and 1.5 CPUs plans for the container.
    Row(
      label: "container 8.5 GiB of 64, 1.5 CPUs", hardware: Machine.cpu(memoryGiB: 64, cores: 16, limitGiB: 8.5, quota: 1.5),
      engine: .llamaCpp, llm: "llama-3.1-8b-q5", threads: 1),
    // --prefer quality: bge-base keeps Mixtral at 48 GiB...
    Row(
      label: "48 GiB, --prefer quality", hardware: Machine.cpu(memoryGiB: 48), preference: .quality, engine: .llamaCpp,
      llm: "mixtral-8x7b-q4", embedding: "bge-base-en-v1.5"),
    // ...and at 8.5 GiB bge-base on llama.cpp (+0.16 GiB) still leaves 6.92 GiB for 8B Q5 (6.61).
    Row(
      label: "8.5 GiB, --prefer quality", hardware: Machine.cpu(memoryGiB: 8.5), preference: .quality, engine: .llamaCpp,
      llm: "llama-3.1-8b-q5", embedding: "bge-base-en-v1.5"),
    // At 7.75 GiB bge-base would push the chat model below 8B Q4 (6.41 - 0.16 = 6.25 still holds
    // 5.81), so it is kept; mpnet, on sentence-transformers (1.52 GiB), would not be.
    Row(
      label: "7.75 GiB, --prefer quality", hardware: Machine.cpu(memoryGiB: 7.75), preference: .quality, engine: .llamaCpp,
      llm: "llama-3.1-8b-q4", embedding: "bge-base-en-v1.5"),
    // RTX 4090, CUDA 12.4: vLLM holds Llama 3.1 8B's 16-bit weights (14.96 GiB) + the KV cache at the guide's 4096 tokens in 0.90 × 24 GiB.
    Row(
      label: "RTX 4090, CUDA 12.4", hardware: Machine.cpu(memoryGiB: 64, gpus: [rtx4090], cuda: "12.4"), engine: .vllm,
      llm: "llama-3.1-8b-q5", context: 4096, tensorParallel: 1),
    // The same GPU with a CUDA 11.8 driver: llama.cpp, all 33 layers on the GPU, at the guide's 4096 tokens (a longer context is asked for, not taken because it fits).
    Row(
      label: "RTX 4090, CUDA 11.8", hardware: Machine.cpu(memoryGiB: 64, gpus: [rtx4090], cuda: "11.8"), engine: .llamaCpp,
      llm: "llama-3.1-8b-q5", gpuLayers: 33, context: 4096),
    // An unknown compute capability never picks vLLM and is not offloaded to.
    Row(
      label: "unknown GPU, CUDA 12.4",
      hardware: Machine.cpu(memoryGiB: 16, gpus: [Machine.gpu("NVIDIA Mystery X1", totalMiB: 24576, capability: nil)], cuda: "12.4"),
      engine: .llamaCpp, llm: "llama-3.1-8b-q5", gpuLayers: 0),
    // Two free A100 80GB: Mixtral's 87 GiB of 16-bit weights need both (tensor parallel 2).
    Row(
      label: "2x A100 80GB",
      hardware: Machine.cpu(
        memoryGiB: 256,
        gpus: [
          Machine.gpu("NVIDIA A100-SXM4-80GB", totalMiB: 81920, capability: "8.0"),
          Machine.gpu("NVIDIA A100-SXM4-80GB", totalMiB: 81920, capability: "8.0", index: 1),
        ], cuda: "12.2"),
      engine: .vllm, llm: "mixtral-8x7b-q4", context: 4096, tensorParallel: 2),
    // Volta V100 16GB (7.0, CUDA 12.2): Llama 3.2 3B in 16-bit fits vLLM, but Llama 3.1 8B Q5 wholly on the GPU with llama.cpp rates higher.
    Row(
      label: "V100 16GB",
      hardware: Machine.cpu(memoryGiB: 32, gpus: [Machine.gpu("Tesla V100-PCIE-16GB", totalMiB: 16384, capability: "7.0")], cuda: "12.2"),
      engine: .llamaCpp, llm: "llama-3.1-8b-q5", gpuLayers: 33),
    // Same V100, --prefer speed: the fastest model, Llama 3.2 3B, on vLLM.
    Row(
      label: "V100 16GB, --prefer speed",
      hardware: Machine.cpu(memoryGiB: 32, gpus: [Machine.gpu("Tesla V100-PCIE-16GB", totalMiB: 16384, capability: "7.0")], cuda: "12.2"),
      preference: .speed, engine: .vllm, llm: "llama-3.2-3b-q4", tensorParallel: 1),
  ]

  @Test(arguments: rows)
  func choice(_ row: Row) throws {
    let recommendation = try Recommender(
      catalog: Fixtures.catalog(), hardware: row.hardware, preference: row.preference, minimumSpeed: 0
    ).recommend()
    #expect(recommendation.engine == row.engine)
    #expect(recommendation.llm.id == row.llm)
    #expect(recommendation.embedding.id == row.embedding)
    if let layers = row.gpuLayers { #expect(recommendation.llamaServer?.nGPULayers == layers) }
    if let threads = row.threads { #expect(recommendation.llamaServer?.threads == threads) }
    if let context = row.context {
      #expect((recommendation.llamaServer?.ctxSize ?? recommendation.vllm?.maxModelLen) == context)
    }
    if let size = row.tensorParallel { #expect(recommendation.vllm?.tensorParallelSize == size) }
    #expect((recommendation.llamaServer == nil) == (row.engine == .vllm))
    #expect(recommendation.llm.estimateBytes <= recommendation.budget.llmBytes + recommendation.budget.gpuBytes || row.engine == .vllm)
    #expect(!recommendation.reasons.isEmpty)
  }

  /// Every non-demo chat model and at least two embedding models are chosen by some row.
  @Test func tableCoversTheCatalog() throws {
    let catalog = try Fixtures.catalog()
    let chat = Set(catalog.models(.llm).filter { !$0.isDemo }.map(\.id))
    #expect(chat.isSubset(of: Set(Self.rows.map(\.llm))))
    #expect(Set(Self.rows.map(\.embedding)).count >= 2)
    #expect(catalog.models(.llm).filter(\.isDemo).allSatisfy { demo in !Self.rows.contains { $0.llm == demo.id } })
  }

  @Test func nothingFitsSaysSoAndWhatWould() throws {
    #expect {
      try Recommender(catalog: Fixtures.catalog(), hardware: Machine.cpu(memoryGiB: 2)).recommend()
    } throws: { error in
      guard let error = error as? RecommendationError else { return false }
      let text = error.description
      // 2.91 GiB for the model + 0.57 GiB for the other services + the 512 MiB margin = 3.98 GiB.
      return text.contains("no catalog chat model fits") && text.contains("Llama 3.2 3B Instruct Q4_K_M")
        && text.contains("at least 4.0 GiB")
    }
  }

  /// A big GPU does not make up for no host memory: vLLM needs its process and CPU swap space,
  /// llama.cpp its process, so 1 GiB of RAM fits nothing even beside an A100.
  @Test func gpuWithoutHostMemoryFitsNothing() throws {
    let hardware = Machine.cpu(memoryGiB: 1, gpus: [Machine.gpu("NVIDIA A100-SXM4-80GB", totalMiB: 81920, capability: "8.0")], cuda: "12.2")
    #expect(throws: RecommendationError.self) { try Recommender(catalog: Fixtures.catalog(), hardware: hardware).recommend() }
  }

  /// An arm64 host with an NVIDIA GPU (a GH200, a DGX Spark) gets llama.cpp on the GPU, not a vLLM
  /// that `install vllm` would refuse: the only pinned vLLM line is PyPI's x86_64 wheels.
  @Test func anArmHostWithAnNVIDIAGPUGetsLlamaCppNotAnUninstallableVLLM() throws {
    var hardware = Machine.cpu(memoryGiB: 64, gpus: [Self.rtx4090], cuda: "12.4")
    hardware.cpu.arch = "aarch64"
    let recommendation = try Recommender(catalog: Fixtures.catalog(), hardware: hardware).recommend()
    #expect(recommendation.engine == .llamaCpp)
    #expect((recommendation.llamaServer?.nGPULayers ?? 0) > 0, "the GPU is still used")
    #expect(recommendation.reasons.contains { $0.contains("vLLM's pinned wheels are for linux-x86_64") }, "\(recommendation.reasons)")
  }

  /// On vLLM the Q4 and Q5 entries are one 16-bit deployment: named as such, listed once.
  @Test func vllmTwinsAreOneChoice() throws {
    let hardware = Machine.cpu(memoryGiB: 64, gpus: [Self.rtx4090], cuda: "12.4")
    let recommendation = try Recommender(catalog: Fixtures.catalog(), hardware: hardware).recommend()
    #expect(recommendation.llm.title == "Llama 3.1 8B Instruct (16-bit)")
    let vllmAlternatives = recommendation.alternatives.filter { $0.engine == .vllm }.map(\.id)
    #expect(!vllmAlternatives.contains("llama-3.1-8b-q4"))
    #expect(vllmAlternatives.filter { $0.hasPrefix("llama-3.2-3b") }.count <= 1)
  }

  /// Each alternative says why it was not chosen, truly: on two big GPUs every model fits, so none
  /// may say it does not; the Q4 entries left out as vLLM twins say so.
  @Test func alternativesGiveTheirRealReason() throws {
    let gpus = (0..<2).map { Machine.gpu("NVIDIA A100-SXM4-80GB", totalMiB: 81920, capability: "8.0", index: $0) }
    let recommendation = try Recommender(catalog: Fixtures.catalog(), hardware: Machine.cpu(memoryGiB: 251, gpus: gpus, cuda: "12.4"))
      .recommend()
    #expect(!recommendation.alternatives.contains { $0.note.hasPrefix("does not fit") }, "\(recommendation.alternatives.map(\.note))")
    let twin = try #require(recommendation.alternatives.first { $0.id == "llama-3.1-8b-q4" })
    #expect(
      twin.note
        == "fits; on vllm it is the same 16-bit deployment (meta-llama/Llama-3.1-8B-Instruct) as llama-3.1-8b-q5, which stands for both")
    // Where memory is short, "does not fit" stays, with the figures.
    let small = try Recommender(catalog: Fixtures.catalog(), hardware: Machine.cpu(memoryGiB: 8.5)).recommend()
    #expect(small.alternatives.contains { $0.id == "mixtral-8x7b-q4" && $0.note.hasPrefix("does not fit: needs 26.9 GiB") })
  }

  @Test func unknownCapabilityIsGivenAsTheReason() throws {
    let hardware = Machine.cpu(memoryGiB: 16, gpus: [Machine.gpu("NVIDIA Mystery X1", totalMiB: 24576, capability: nil)], cuda: "12.4")
    let recommendation = try Recommender(catalog: Fixtures.catalog(), hardware: hardware).recommend()
    #expect(recommendation.reasons.contains { $0.contains("Engine llama.cpp") && $0.contains("unknown") })
  }

  @Test func namedEmbeddingModelIsUsed() throws {
    let recommendation = try Recommender(
      catalog: Fixtures.catalog(), hardware: Machine.cpu(memoryGiB: 16), embeddingOverride: "all-mpnet-base-v2"
    ).recommend()
    #expect(recommendation.embedding.id == "all-mpnet-base-v2")
    #expect(recommendation.embedding.dimensions == 768)
    #expect(throws: CatalogError.self) {
      try Recommender(catalog: Fixtures.catalog(), hardware: Machine.cpu(memoryGiB: 16), embeddingOverride: "llama-3.2-3b-q4").recommend()
    }
  }

  /// AMD GPUs are not CUDA devices: on the AMD fixture machine vLLM is ruled out, llama.cpp plans
  /// -ngl 0 (no offload is assumed without a ROCm or Vulkan build), and the reason says so.
  @Test func amdFixtureMachineIsNotACUDAMachine() async throws {
    var hardware = try await HardwareDetector.detect(Fixtures.machineContext("amd-rocm-workstation"))
    let recommendation = try Recommender(catalog: Fixtures.catalog(), hardware: hardware).recommend()
    #expect(recommendation.engine == .llamaCpp)
    #expect(recommendation.llamaServer?.nGPULayers == 0)
    #expect(recommendation.reasons.contains { $0.contains("-ngl 0: AMD GPUs are not planned for") }, "\(recommendation.reasons)")
    // Even with a CUDA version and a capability written into a hardware file, an AMD GPU stays unused.
    hardware.cudaVersion = "12.4"
    hardware.gpus[1].computeCapability = "9.0"
    let forged = try Recommender(catalog: Fixtures.catalog(), hardware: hardware).recommend()
    #expect(forged.engine == .llamaCpp)
    #expect(forged.llamaServer?.nGPULayers == 0)
  }

  /// The fixture machine with a 470 driver: CUDA 11.4 rules out vLLM, the T4 (7.5 from the
  /// known-GPU table) takes all of Llama 3.1 8B Q5 at the default 4096 tokens, the unknown GPU is unused.
  @Test func oldDriverFixtureMachine() async throws {
    let hardware = try await HardwareDetector.detect(Fixtures.machineContext("old-driver-server"))
    let recommendation = try Recommender(catalog: Fixtures.catalog(), hardware: hardware).recommend()
    #expect(recommendation.engine == .llamaCpp)
    #expect(recommendation.llm.id == "llama-3.1-8b-q5")
    #expect(recommendation.llamaServer == .init(nGPULayers: 33, threads: 8, ctxSize: 4096))
    #expect(recommendation.reasons.contains { $0.contains("CUDA 11.4") })
  }
}
