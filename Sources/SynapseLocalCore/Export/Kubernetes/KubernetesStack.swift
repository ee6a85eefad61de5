import Foundation
import SynapseLocalSystem

/// Everything the manifests say, taken from the plan `up` and `generate` use: the services, ports
/// and health checks of the native plan (`ServicePlanner`), the engine's arguments
/// (`EngineArguments`, as the compose file), the memory limits of the compose file, the `.env`
/// keys, and the locked model files.
public struct KubernetesStack: Sendable {
  /// One model file the store's fill Job fetches and checks.
  public struct StoreFile: Sendable, Equatable {
    public var repository: String
    public var commit: String
    public var path: String
    public var size: UInt64
    public var sha256: String?
    /// The revision asked for: what an imported file (whose commit the Hub lacks) is fetched at.
    public var revision: String = "main"
    /// Put in the store by `models import`: the Hub has no commit of that name.
    public var imported = false

    /// Where it lies in the store (the Hugging Face cache layout), relative to its root.
    public var storePath: String { storePath(includingFile: true) }

    /// Its snapshot folder, or the file in it, relative to the store's root. The lock's values
    /// were checked when it was read; an id that is still not one keeps its own spelling.
    func storePath(includingFile: Bool) -> String {
      let file = includingFile ? path : nil
      guard let id = try? RepositoryID(repository) else { return repository + "/snapshots/\(commit)" + (file.map { "/\($0)" } ?? "") }
      return HubCache.relativeSnapshot(id, commit: commit, path: file)
    }
  }

  /// vLLM over several nodes: `nodes` pods of `gpusPerNode` GPUs each (LeaderWorkerSet + Ray).
  public struct MultiNode: Sendable, Equatable {
    public var nodes: Int
    public var gpusPerNode: Int
  }

  public var configuration: ProjectConfiguration
  public var request: KubernetesRequest
  public var images: EngineImages
  /// The native plan's services, by name: ports, health checks, readiness limits.
  public var services: [ServiceName: ServiceSpec]
  /// The model paths inside the pods (the store is mounted at /models, as in the compose file).
  public var llmPath: String
  public var embeddingPath: String
  /// The llm container's arguments (after the entry point), and whether it runs on GPUs.
  public var llmArguments: [String]
  public var llmOnGPU: Bool
  /// GPUs per llm pod (0 for CPU plans).
  public var gpusPerPod: Int
  public var multiNode: MultiNode?
  /// Memory per pod: the compose file's limits for llm and embedding.
  public var llmMemoryBytes: UInt64
  public var embeddingMemoryBytes: UInt64
  public var llmCPUs: Int
  public var embeddingCPUs: Int
  /// The catalog's headroom for PostgreSQL and the Node apps (what `recommend` reserves).
  public var dbMemoryBytes: UInt64
  public var backendMemoryBytes: UInt64
  public var frontendMemoryBytes: UInt64
  /// The backend's `.env` keys without the secret ones (DATABASE_URL is built from the Secret).
  public var backendEnvironment: [(String, String)]
  public var storeFiles: [StoreFile]

  /// Keys of `.env` that hold the password: never written outside the Secret.
  public static let secretKeys: Set<String> = ["DATABASE_URL", "SYNAPSE_LOCAL_DB_PASSWORD"]

  /// The fill Job's PVC size: the files plus a quarter, at least 1 GiB, in whole GiB.
  public var storeGiB: Int {
    let total = storeFiles.reduce(0) { $0 + $1.size }
    return max(1, Int(((total + total / 4) + ByteCount.gibibyte - 1) / ByteCount.gibibyte))
  }

  /// The splitting rule: tensor parallel within a node, pipeline parallel across nodes (vLLM's
  /// guidance). Nil when the plan's GPUs fit on one node, or the engine is not vLLM.
  public static func multiNode(_ configuration: ProjectConfiguration, gpusPerNode: Int?) throws(ExportError) -> MultiNode? {
    guard configuration.engine == .vllm else { return nil }
    let llm = configuration.llm
    if llm.pipelineParallelSize > 1 {
      // The project sets the split itself: tensor parallel within a node, one stage per node.
      if let gpusPerNode, llm.tensorParallelSize > gpusPerNode {
        throw .badOption(
          "llm.tensor_parallel_size \(llm.tensorParallelSize) with llm.pipeline_parallel_size \(llm.pipelineParallelSize) needs \(llm.tensorParallelSize) GPUs per node, more than --gpus-per-node \(gpusPerNode)"
        )
      }
      return MultiNode(nodes: llm.pipelineParallelSize, gpusPerNode: llm.tensorParallelSize)
    }
    guard let gpusPerNode, llm.tensorParallelSize > gpusPerNode else { return nil }
    // Tensor parallel must still divide the model's heads: whole nodes of equal size only.
    guard llm.tensorParallelSize % gpusPerNode == 0 else {
      throw .badOption(
        "llm.tensor_parallel_size \(llm.tensorParallelSize) does not split into nodes of --gpus-per-node \(gpusPerNode): set llm.tensor_parallel_size to a multiple of it, or llm.pipeline_parallel_size and a tensor_parallel_size that fits one node"
      )
    }
    return MultiNode(nodes: llm.tensorParallelSize / gpusPerNode, gpusPerNode: gpusPerNode)
  }
}
