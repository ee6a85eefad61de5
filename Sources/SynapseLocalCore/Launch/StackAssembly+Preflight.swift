import Foundation
import SynapseLocalSystem

/// What `up` checks before it starts anything: the model files are what the lock pins (sizes; a
/// full re-hash with `--verify`), and the plan fits the machine's memory.
extension StackAssembly {
  public func checkModelFiles(verify: Bool) throws {
    for (service, model) in [(ServiceName.llm, llmModel), (.embedding, embeddingModel)] {
      guard let repository = model.repository, let commit = model.commit else { continue }
      let snapshot = HubCache(root: store, files: context.files).snapshot(try RepositoryID(repository), commit: commit)
      for entry in lock.files where entry.repository == repository && entry.commit == commit {
        let path = snapshot + "/" + entry.path
        guard path.hasPrefix(model.hostPath) || model.hostPath.hasPrefix(path) else { continue }
        // Snapshot files are links into blobs/: the size is the blob's.
        let size = context.files.size(path)
        guard size == entry.size else {
          throw StackError.cannotStart(
            service: service,
            reason:
              "\(repository)/\(entry.path) is \(size.map { "\($0) bytes" } ?? "missing"), synapse-local.lock pins \(entry.size) bytes: run `synapse-local models verify` and pull or import it again"
          )
        }
      }
      guard verify else { continue }
      let cache = HubCache(root: store, files: context.files)
      var mine = try cache.repository(try RepositoryID(repository))
      mine.snapshots = mine.snapshots.filter { $0.commit == commit }
      for check in try ModelVerifier(cache: cache).verify([mine]) where check.status == .mismatch || check.status == .missing {
        throw StackError.cannotStart(
          service: service,
          reason:
            "\(repository)/\(check.path) does not match its digest \(check.expected) (\(check.status.rawValue)): pull or import it again")
      }
    }
  }

  /// The plan's memory: the chat model's estimate at its context (what is not offloaded to GPUs),
  /// the embedding server's measured footprint, PostgreSQL and the backend, against the effective
  /// memory less the recommendation's margin.
  public func memoryShortfall(hardware: HardwareReport) -> String? {
    let c = configuration
    guard case .catalog(let id, _) = c.llm.model, let model = try? catalog.model(id: id, role: .llm) else {
      return nil
    }
    if c.engine == .vllm || (c.llm.gpuLayers > 0 && !hardware.gpus.isEmpty) { return nil }  // weights in VRAM
    guard
      let llm = MemoryNeed.llm(
        ref: c.llm.model, engine: c.engine, context: c.llm.context, catalog: catalog, path: llmModel.hostPath, files: context.files)?
        .totalBytes
    else { return nil }
    // A model outside the catalog counts by its folder's size (its weights, mostly).
    let embeddingBytes =
      MemoryNeed.embedding(
        ref: c.embedding.model, catalog: catalog, weightsBytes: LoadTimes.size(of: embeddingModel.hostPath, files: context.files),
        engine: c.embedding.engine)
      ?? 0
    let needed = llm + embeddingBytes + catalog.headroom.postgresBytes + catalog.headroom.backendBytes
    let effective = hardware.memory.effectiveBytes
    let available = MemoryMargin.usable(effective)
    guard needed > available else { return nil }
    let fitting = try? Recommender(catalog: catalog, hardware: hardware, preference: c.prefer).recommend()
    let suggestion =
      fitting.map {
        " What fits: \($0.llm.id) at context \($0.llamaServer?.ctxSize ?? $0.vllm?.maxModelLen ?? 0) (synapse-local recommend)."
      } ?? ""
    return
      "the plan needs \(ByteCount.format(needed)) (\(model.title) at \(c.llm.context) tokens \(ByteCount.format(llm)), embedding server \(ByteCount.format(embeddingBytes)), PostgreSQL and backend \(ByteCount.format(catalog.headroom.postgresBytes + catalog.headroom.backendBytes))) and \(ByteCount.format(available)) of \(ByteCount.format(effective)) is usable here.\(suggestion) Pass --ignore-memory to start anyway."
  }
}
