import Foundation
import SynapseLocalSystem

/// `plan.vram`: a GPU plan against the GPUs' memory: the layers llama.cpp offloads (`-ngl`), or
/// vLLM's model within its `--gpu-memory-utilization` share of each GPU.
public struct PlanVRAMCheck: DoctorCheck {
  public let id = "plan.vram"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    // vLLM runs on NVIDIA GPUs only; llama.cpp's GPU builds also offload to AMD ones.
    let gpus = c.engine == .vllm ? subject.hardware.nvidiaGPUs : subject.hardware.gpus
    let onGPU = c.engine == .vllm || c.llm.gpuLayers != 0
    guard onGPU else { return .skipped(id, "the plan runs on the CPU (llm.gpu_layers: 0)") }
    guard !gpus.isEmpty else {
      return .failure(
        id, "the plan puts the model on a GPU, but no \(c.engine == .vllm ? "NVIDIA GPU" : "GPU") was detected",
        fix: c.engine == .vllm ? "use llama.cpp (engine: llama.cpp) on this machine" : "set llm.gpu_layers: 0")
    }
    guard
      let estimate = MemoryNeed.llm(
        ref: c.llm.model, engine: c.engine, context: c.llm.context, tensorParallel: c.llm.tensorParallelSize, catalog: subject.catalog,
        path: subject.llmPath, files: subject.context.files)
    else { return .skipped(id, "no memory estimate for \(c.llm.model)") }
    if c.engine == .vllm {
      // vLLM uses tensor parallel × pipeline parallel GPUs.
      let used = Array(
        gpus.sorted { $0.memoryTotalBytes > $1.memoryTotalBytes }.prefix(max(1, c.llm.tensorParallelSize * c.llm.pipelineParallelSize)))
      let share = used.reduce(UInt64(0)) { $0 + UInt64(Double($1.memoryTotalBytes) * c.llm.gpuMemoryUtilization) }
      let detail =
        "vLLM needs \(ByteCount.format(estimate.totalBytes)) for \(c.llm.model) at \(c.llm.context) tokens; \(String(format: "%.2f", c.llm.gpuMemoryUtilization)) of \(used.count) GPU(s) is \(ByteCount.format(share))"
      if estimate.totalBytes > share {
        return .failure(id, detail, fix: "a shorter context (llm.context), more GPUs (llm.tensor_parallel_size), or a smaller model")
      }
      return .ok(id, detail)
    }
    // llama.cpp: -ngl counts the output layer as one more; -1 or more than that means all.
    let layers = UInt64(max(1, Self.layers(subject)))
    let offloaded = c.llm.gpuLayers < 0 ? layers + 1 : min(UInt64(c.llm.gpuLayers), layers + 1)
    let needed = offloaded == layers + 1 ? estimate.totalBytes : estimate.totalBytes * offloaded / (layers + 1)
    let free = gpus.reduce(UInt64(0)) {
      $0 + ($1.memoryFreeBytes > EnginePlanner.gpuReserve ? $1.memoryFreeBytes - EnginePlanner.gpuReserve : 0)
    }
    let detail =
      "\(offloaded) of \(layers + 1) layers on the GPU need about \(ByteCount.format(needed)); \(ByteCount.format(free)) of VRAM is free"
    if needed > free {
      let fitting = estimate.totalBytes > 0 ? free * (layers + 1) / estimate.totalBytes : 0
      return .failure(id, detail, fix: "set llm.gpu_layers: \(fitting) (what fits), or free the GPU's memory")
    }
    return .ok(id, detail)
  }

  static func layers(_ subject: DoctorSubject) -> Int {
    if let id = subject.configuration.llm.model.catalogID, let model = try? subject.catalog.model(id: id, role: .llm),
      let layers = model.shape.layers
    {
      return layers
    }
    if let path = subject.llmPath, let file = try? GGUFReader.read(path: path, files: subject.context.files) {
      return Int(max(GGUFModelInfo(file: file, path: path).blockCount ?? 1, 1))
    }
    return 1
  }
}
