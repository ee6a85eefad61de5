import SynapseLocalSystem

/// `plan.memory`: the whole plan (chat model at its context, embedding server, PostgreSQL, backend)
/// against the effective memory, the container's limit included, with the margin `up` keeps.
public struct PlanMemoryCheck: DoctorCheck {
  public let id = "plan.memory"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    guard
      let llm = MemoryNeed.llm(
        ref: c.llm.model, engine: c.engine, context: c.llm.context, tensorParallel: c.llm.tensorParallelSize, catalog: subject.catalog,
        path: subject.llmPath, files: subject.context.files)
    else { return .skipped(id, "no memory estimate for \(c.llm.model) (not in the catalog, and its file is not at hand)") }
    let headroom = subject.catalog.headroom
    let embedding =
      MemoryNeed.embedding(
        ref: c.embedding.model, catalog: subject.catalog,
        weightsBytes: subject.embeddingPath.map { LoadTimes.size(of: $0, files: subject.context.files) },
        engine: c.embedding.engine) ?? 0
    // On a GPU the offloaded layers live in VRAM, not RAM.
    let onGPU = c.engine == .vllm || (c.llm.gpuLayers > 0 && !subject.hardware.gpus.isEmpty)
    let llmRAM = onGPU ? EnginePlanner.llamaCppMinimumHostMemory : llm.totalBytes
    let needed = llmRAM + embedding + headroom.postgresBytes + headroom.backendBytes
    let memory = subject.hardware.memory
    let effective = memory.effectiveBytes
    let margin = MemoryMargin.of(effective)
    let source = memory.limitBytes.map { "the container's limit of \(ByteCount.format($0))" } ?? "no container limit"
    let detail =
      "the plan needs \(ByteCount.format(needed)) (\(c.llm.model) at \(c.llm.context) tokens \(ByteCount.format(llmRAM)), embedding \(ByteCount.format(embedding)), PostgreSQL and backend \(ByteCount.format(headroom.postgresBytes + headroom.backendBytes))); effective memory is \(ByteCount.format(effective)), \(source)"
    let fix =
      "a smaller model or a shorter context: `synapse-local recommend` names what fits, then `synapse-local swap llm REF` or set llm.context; or raise the memory limit"
    if needed > effective { return .failure(id, detail, fix: fix) }
    if needed + margin > effective { return .warning(id, detail + ", less than the \(ByteCount.format(margin)) margin left", fix: fix) }
    return .ok(id, detail)
  }
}
