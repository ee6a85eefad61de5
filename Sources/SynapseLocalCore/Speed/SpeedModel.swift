import Foundation
import SynapseLocalSystem

/// Predicts how fast a chat model runs with a plan's flags. Generation reads every weight once per
/// token (plus the KV cache in use), so it is bound by memory bandwidth; prompt processing is
/// bound by compute. The figures come from this machine's measurements of the model, else its
/// calibration, else the per-architecture estimate (docs/recommendation.md).
public struct SpeedModel: Sendable {
  public var hardware: HardwareReport
  /// This machine's calibration: the hardware report's, when it was taken on that machine.
  public var calibration: Calibration?
  /// This machine's measured figures, by model.
  public var measurements: [SpeedMeasurement]

  /// llama.cpp's repacked CPU kernels read prompts this much faster per parameter: measured on the
  /// test bed, Gemma 3 270M Q4_K_M against SmolLM2 135M Q4_1, 1.7 to 2.3 per parameter across runs
  /// (docs/BENCHMARKS.md).
  static let repackedPromptSpeedup = 2.0
  /// GPU generation's own per-token cost (kernel launches, sampling on the host).
  static let gpuPerTokenOverheadSeconds = 0.004

  public init(hardware: HardwareReport, measurements: [SpeedMeasurement] = []) {
    self.hardware = hardware
    let machine = MachineFingerprint(hardware)
    calibration = hardware.calibration.flatMap { $0.machine == machine ? $0 : nil }
    self.measurements = measurements.filter { $0.machine == machine }
  }

  var figures: ArchitectureEstimate.Figures { ArchitectureEstimate.figures(for: hardware) }
  var cores: Int { max(1, hardware.cpu.effectiveCores) }

  func cpuBytesPerSecond(threads: Int) -> Double {
    if let measured = calibration?.bytesPerSecond(threads: threads), measured > 1e6, measured.isFinite { return measured }
    return min(figures.bytesPerSecondCeiling, figures.bytesPerSecondPerThread * Double(min(threads, cores)))
  }

  /// Prompt operations per second with `threads`, without repacked kernels: prompt work splits
  /// evenly over threads up to the cores.
  func cpuOperationsPerSecond(threads: Int) -> Double {
    let used = Double(min(max(1, threads), cores))
    if let run = calibration?.engineRun, run.computeOperationsPerSecond > 1e6, run.computeOperationsPerSecond.isFinite {
      return run.computeOperationsPerSecond / Double(min(max(1, run.threads), cores)) * used
    }
    return figures.operationsPerSecondPerThread * used
  }

  var perTokenOverheadSeconds: Double {
    calibration?.engineRun?.perTokenOverheadSeconds ?? figures.perTokenOverheadSeconds
  }

  var source: SpeedEstimate.Source { calibration?.engineRun != nil ? .calibrated : .estimated }

  /// The measured figure for a model file on this engine, newest first.
  /// Only a figure taken with the same GPU offload counts: a CPU-only measurement says nothing of a
  /// plan with the model on the GPU. `gpuLayers` nil: any (vLLM).
  public func measured(model: String, engine: Engine, gpuLayers: Int? = nil) -> SpeedEstimate? {
    measurements.last {
      $0.model == model && $0.engine == engine && (gpuLayers == nil || $0.gpuLayers == gpuLayers)
    }?.estimate
  }

  /// A llama.cpp plan: `gpuLayers` of `layers + 1` (the output layer counts as one) on the GPUs.
  public func llamaCpp(_ cost: ModelCost, threads: Int, threadsBatch: Int? = nil, gpuLayers: Int, context: Int) -> SpeedEstimate {
    let gpus = hardware.gpus
    let offloadable = Double(cost.layers + 1)
    let share = gpus.isEmpty ? 0 : min(1, Double(max(0, gpuLayers)) / max(offloadable, 1))
    let gpu = gpus.map { GPUThroughput.of($0.name) }
    // Layers split over GPUs run one GPU after the other: the slowest sets the pace.
    let gpuBytes = gpu.map(\.bytesPerSecond).min() ?? 1
    let gpuOperations = gpu.map(\.operationsPerSecond).min() ?? 1
    let inUse = Double(cost.kvBytesPerToken) * Double(min(context, ReferenceRequest.promptTokens))
    let weights = Double(cost.weightsBytes) + inUse
    let overhead = share >= 1 ? Self.gpuPerTokenOverheadSeconds : perTokenOverheadSeconds
    let generation =
      overhead + weights * (1 - share) / cpuBytesPerSecond(threads: threads) + (share > 0 ? weights * share / gpuBytes : 0)
    let operations = 2 * Double(cost.computeParameters)
    let cpuRate = cpuOperationsPerSecond(threads: threadsBatch ?? threads) * (cost.repackedKernels ? Self.repackedPromptSpeedup : 1)
    let prompt = operations * (1 - share) / cpuRate + (share > 0 ? operations * share / gpuOperations : 0)
    return SpeedEstimate(generationTokensPerSecond: 1 / generation, promptTokensPerSecond: 1 / prompt, source: source)
  }

  /// A vLLM plan over `gpus` identical GPUs with tensor parallelism (about 85% scaling per GPU).
  public func vllm(_ cost: ModelCost, gpus count: Int) -> SpeedEstimate {
    let gpu = hardware.gpus.first.map { GPUThroughput.of($0.name) } ?? GPUThroughput.of("")
    let scale = Double(max(1, count)) * (count > 1 ? 0.85 : 1)
    let generation = Self.gpuPerTokenOverheadSeconds + Double(cost.weightsBytes) / (gpu.bytesPerSecond * scale)
    let prompt = 2 * Double(cost.computeParameters) / (gpu.operationsPerSecond * scale)
    return SpeedEstimate(generationTokensPerSecond: 1 / generation, promptTokensPerSecond: 1 / prompt, source: .estimated)
  }

  /// A project's `llm` settings on an engine: the measured figure for the file when there is one,
  /// else the prediction with those flags.
  public func predict(_ cost: ModelCost, engine: Engine, llm: ProjectConfiguration.LLM, served: String? = nil) -> SpeedEstimate {
    if let served, let measured = measured(model: served, engine: engine, gpuLayers: engine == .vllm ? nil : llm.gpuLayers) {
      return measured
    }
    if engine == .vllm { return vllm(cost, gpus: llm.tensorParallelSize) }
    return llamaCpp(
      cost, threads: llm.threads, threadsBatch: llm.threadsBatch > 0 ? llm.threadsBatch : nil, gpuLayers: llm.gpuLayers,
      context: llm.context)
  }

  /// What the predictions rest on, for the reasons.
  public var basis: String {
    if let calibration, let run = calibration.engineRun {
      let bandwidth = calibration.bytesPerSecond(threads: cores).map { String(format: "%.1f GB/s", $0 / 1e9) } ?? "?"
      return
        "calibrated on \(calibration.day) on \(calibration.machine.summary): \(bandwidth) memory bandwidth with \(cores) threads, \(run.engine.rawValue) \(run.version) with \(run.model)"
    }
    let arch = hardware.os == "darwin" ? "Apple Silicon" : hardware.cpu.arch
    let bandwidth = String(format: "%.0f GB/s", cpuBytesPerSecond(threads: cores) / 1e9)
    let partial = calibration != nil ? "the bandwidth calibrated, no engine run, " : ""
    return
      "\(partial)the documented \(arch) estimate (\(bandwidth) with \(cores) threads; docs/recommendation.md), not a measurement: run `synapse-local detect --calibrate` for figures from this machine"
  }
}
