import Foundation
import SynapseLocalSystem

/// The plain-words reasons behind a recommendation, one sentence each.
struct RecommendationExplainer {
  var hardware: HardwareReport
  var planner: EnginePlanner
  var budget: Recommendation.Budget
  var preference: Preference
  var speedModel: SpeedModel
  var minimumSpeed: Double

  func memoryReasons(embedding: CatalogModel) -> [String] {
    let memory = hardware.memory
    var sources = ["total \(ByteCount.format(memory.totalBytes))", "available \(ByteCount.format(memory.availableBytes))"]
    sources.append(memory.limitBytes.map { "container limit \(ByteCount.format($0))" } ?? "no container limit")
    return [
      "Effective memory is \(ByteCount.format(budget.effectiveBytes)), the smallest of \(sources.joined(separator: ", ")).",
      "Reserved for the rest of the stack: embedding server with \(embedding.name) \(ByteCount.format(budget.embeddingServerBytes)), PostgreSQL \(ByteCount.format(budget.postgresBytes)), backend \(ByteCount.format(budget.backendBytes)), safety margin \(ByteCount.format(budget.marginBytes)); \(ByteCount.format(budget.llmBytes)) is left for the chat model.",
    ]
  }

  func engineReason(model: CatalogModel, plan: EnginePlanner.Plan) -> String {
    switch plan.engine {
    case .vllm:
      let gpus = planner.vllmGPUs.map { "\($0.name) (compute capability \($0.computeCapability ?? "?"))" }
      return
        "Engine vLLM: Linux, CUDA \(hardware.cudaVersion ?? "?") (12.0+ needed) and \(gpus.joined(separator: ", ")) qualify, and the GPU memory holds \(model.title)'s 16-bit weights (\(ByteCount.format(plan.estimate.weightsBytes))) plus its KV cache."
    case .llamaCpp:
      if let why = planner.vllmIneligibility {
        return "Engine llama.cpp: \(why)."
      }
      return
        "Engine llama.cpp: the GPU qualifies for vLLM, but its memory does not hold \(model.title)'s 16-bit weights (\(ByteCount.format(model.vllm?.sizeBytes ?? 0))) plus a 4096-token KV cache, while the quantized GGUF fits."
    }
  }

  func modelReason(model: CatalogModel, plan: EnginePlanner.Plan, named: Bool = false) -> String {
    let ranked: String =
      switch preference {
      case .balanced, .quality: "the best-rated (\(model.quality)) catalog chat model"
      case .speed: "the fastest (\(model.speed)) catalog chat model"
      case .code:
        model.isCodeModel
          ? "the code-focused catalog chat model (\(model.bestFor ?? "code"))"
          : "no code-focused model fits, so the best-rated (\(model.quality)) catalog chat model"
      }
    let rule = named ? "named by --llm or the project, and its estimate fits" : ranked
    let estimate = plan.estimate
    return
      "Chat model \(model.title(for: plan.engine)): \(rule)\(named ? "" : " whose estimate fits"): \(ByteCount.format(estimate.totalBytes)) = weights \(ByteCount.format(estimate.weightsBytes)) + KV cache \(ByteCount.format(estimate.kvCacheBytes)) at \(estimate.contextSize) tokens + compute \(ByteCount.format(estimate.computeBytes))."
  }

  /// The predicted speed, what it rests on, and how the floor decided.
  func speedReason(chosen: Recommender.Candidate, candidates: [Recommender.Candidate], named: Bool) -> String {
    let speed = chosen.speed
    let figures =
      "Speed: \(SpeedEstimate.format(speed.generationTokensPerSecond)) generating and \(SpeedEstimate.format(speed.promptTokensPerSecond)) reading the prompt"
    let basis =
      speed.source == .measured
      ? "measured on this machine by bench or tune" : "predicted, \(speedModel.basis)"
    let floor = SpeedEstimate.format(minimumSpeed)
    let reaches = speed.generationTokensPerSecond >= minimumSpeed
    let verdict: String
    if named {
      verdict =
        reaches
        ? "it reaches the \(floor) floor (--min-speed)"
        : "under the \(floor) floor (--min-speed); it was named, so it is planned anyway, but a chat will feel slow"
    } else if reaches {
      let skipped = candidates.prefix { $0.model.id != chosen.model.id }.map {
        "\($0.model.title(for: $0.plan.engine)) \(SpeedEstimate.format($0.speed.generationTokensPerSecond))"
      }
      verdict =
        skipped.isEmpty
        ? "it reaches the \(floor) floor (--min-speed)"
        : "the best-rated model that reaches the \(floor) floor (--min-speed); better-rated \(skipped.joined(separator: ", ")) would not"
    } else {
      verdict =
        "no model that fits reaches the \(floor) floor (--min-speed), so this is the fastest that fits; a smaller model, a GPU or --min-speed lower changes that (demo models are faster and are left out: too small for real answers, they are for trying the stack, with init --profile demo)"
    }
    return "\(figures) (\(basis)): \(verdict)."
  }

  func flagReasons(model: CatalogModel, plan: EnginePlanner.Plan, speed: SpeedEstimate) -> [String] {
    if let flags = plan.llamaServer {
      let layers = model.shape.layers ?? 0
      let gpu: String
      if flags.nGPULayers == 0 {
        gpu =
          hardware.gpus.isEmpty
          ? "-ngl 0: no GPU."
          : hardware.nvidiaGPUs.isEmpty
            ? "-ngl 0: AMD GPUs are not planned for (offloading needs llama.cpp's ROCm or Vulkan build; set llm.gpu_layers to use one)."
            : "-ngl 0: no GPU llama.cpp can use (compute capability 5.0 or higher, known) has room."
      } else if flags.nGPULayers > layers {
        gpu =
          "-ngl \(flags.nGPULayers): all \(layers) layers and the output layer fit in \(ByteCount.format(planner.gpuBudget)) of free VRAM."
      } else {
        gpu =
          "-ngl \(flags.nGPULayers): that many of \(layers) layers fit in \(ByteCount.format(planner.gpuBudget)) of free VRAM; the rest run on the CPU."
      }
      let cpu = hardware.cpu
      var limits = ["\(cpu.logicalCores) logical", "\(cpu.physicalCores) physical"]
      if let quota = cpu.quotaCores { limits.append(String(format: "a CPU quota of %.2f", quota)) }
      if let cpuset = cpu.cpusetCores { limits.append("a cpuset of \(cpuset)") }
      return [
        gpu,
        "-t \(flags.threads): the effective core count, the smallest of \(limits.joined(separator: ", ")).",
        planner.contextOverride != nil
          ? "-c \(flags.ctxSize): asked for (--context, llm.context; the model supports up to \(model.shape.maxContext)); \(contextCost(model, context: flags.ctxSize, speed: speed))."
          : "-c \(flags.ctxSize): \(flags.ctxSize == EnginePlanner.defaultContext ? "the guide's LOCAL_LLM_CONTEXT_LENGTH" : "the largest context under the guide's \(EnginePlanner.defaultContext) that fits") (the model supports up to \(model.shape.maxContext); a longer one costs memory and prompt time on every request: --context N).",
      ]
    }
    if let flags = plan.vllm {
      return [
        String(
          format: "--gpu-memory-utilization %.2f: vLLM's 0.90, lowered when other processes already hold GPU memory.",
          flags.gpuMemoryUtilization),
        planner.contextOverride != nil
          ? "--max-model-len \(flags.maxModelLen): asked for (--context, llm.context; the model supports up to \(model.shape.maxContext)); \(contextCost(model, context: flags.maxModelLen, speed: speed))."
          : "--max-model-len \(flags.maxModelLen): \(flags.maxModelLen == EnginePlanner.defaultContext ? "the guide's LOCAL_LLM_CONTEXT_LENGTH" : "the largest context under the guide's \(EnginePlanner.defaultContext) whose KV cache fits beside the weights") (the model supports \(model.shape.maxContext); --context N asks for more).",
        "--tensor-parallel-size \(flags.tensorParallelSize): the fewest identical GPUs that hold the model.",
      ]
    }
    return []
  }

  /// What a longer context costs: KV-cache memory beyond the default's, and the time to read a
  /// prompt that fills it.
  func contextCost(_ model: CatalogModel, context: Int, speed: SpeedEstimate) -> String {
    let base = EnginePlanner.defaultContext
    let extra =
      MemoryEstimate.kvCache(model.shape, context: context)
      - min(
        MemoryEstimate.kvCache(model.shape, context: context), MemoryEstimate.kvCache(model.shape, context: base))
    let seconds = Double(context) / max(speed.promptTokensPerSecond, 1e-6)
    let memory =
      context > base
      ? "\(ByteCount.format(extra)) more KV cache than the guide's \(base)"
      : "\(ByteCount.format(MemoryEstimate.kvCache(model.shape, context: context))) of KV cache"
    return
      "\(memory), and a prompt that fills it takes about \(String(format: "%.0f", seconds.rounded(.up))) s to read at \(SpeedEstimate.format(speed.promptTokensPerSecond))"
  }

  func embeddingReason(chosen: CatalogModel, tried: [CatalogModel], overridden: Bool) -> String {
    let what = "Embedding model \(chosen.name) (\(chosen.dimensions ?? 0) dimensions, \(chosen.quality))"
    if overridden { return "\(what): named by --embedding or the project." }
    if preference != .quality {
      return "\(what): the default, fast and general; --prefer quality picks a better-rated one when memory allows."
    }
    let skipped = tried.prefix { $0.id != chosen.id }.map(\.name)
    if skipped.isEmpty { return "\(what): the best-rated embedding model, and its memory does not cost the chat model a step down." }
    return
      "\(what): the best-rated embedding model that does not cost the chat model a step down (\(skipped.joined(separator: ", ")) would)."
  }
}
