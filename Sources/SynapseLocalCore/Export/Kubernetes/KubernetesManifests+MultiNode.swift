import Foundation
import SynapseLocalSystem

/// vLLM across nodes, as vLLM documents it for Kubernetes: a LeaderWorkerSet whose group is one
/// pod per node; the leader starts the Ray head and then vLLM with tensor parallelism across each
/// node's GPUs and pipeline parallelism across the nodes; each worker joins the leader's Ray
/// cluster. The LeaderWorkerSet controller must be installed in the cluster.
extension KubernetesManifests {
  /// The script the vLLM image ships for this (examples/online_serving/multi-node-serving.sh).
  static let rayScript = "/vllm-workspace/examples/online_serving/multi-node-serving.sh"
  static let groupName = "llm-group"

  func leaderWorkerSet(_ multiNode: KubernetesStack.MultiNode) -> [ManifestNode] {
    let serve = (["python3", "-m", "vllm.entrypoints.openai.api_server"] + stack.llmArguments).map { Self.literal(Self.shellQuoted($0)) }
      .joined(separator: " ")
    let leaderCommand = "bash \(Self.rayScript) leader --ray_cluster_size=$(LWS_GROUP_SIZE); exec \(serve)"
    let workerCommand = "bash \(Self.rayScript) worker --ray_address=$(LWS_LEADER_ADDRESS)"
    let volumes: [ManifestNode] = [storeVolume, ["name": "dshm", "emptyDir": ["medium": "Memory", "sizeLimit": "16Gi"]]]
    let mounts: ManifestNode = [storeMount, ["name": "dshm", "mountPath": "/dev/shm"]]
    let resources = Self.resources(memory: stack.llmMemoryBytes, cpus: stack.llmCPUs, gpus: multiNode.gpusPerNode)
    let environment = Self.env([("HF_HUB_OFFLINE", "1")])
    let leader: ManifestNode = .map(
      [
        ("name", "llm"), ("image", .string(stack.images.vllm)), ("command", ["sh", "-c", .string(leaderCommand)]), ("env", environment),
        ("ports", [["name": "http", "containerPort": .int(c.llm.port)]]),
      ] + probes(.llm) + [("resources", resources), ("volumeMounts", mounts)])
    let worker: ManifestNode = [
      "name": "llm-worker", "image": .string(stack.images.vllm), "command": ["sh", "-c", .string(workerCommand)], "env": environment,
      "resources": resources, "volumeMounts": mounts,
    ]
    func template(_ role: String, _ container: ManifestNode) -> ManifestNode {
      guard case .map(let labels) = Self.labels("llm") else { return [:] }
      return [
        "metadata": ["labels": .map(labels + [("role", .string(role))])],
        "spec": podSpec([container], volumes: volumes, placement: true, waitFor: stack.images.vllm),
      ]
    }
    let set: ManifestNode = [
      // Not `llm`: the controller makes a headless Service named after the set for its pods' DNS
      // ($(LWS_LEADER_ADDRESS)), and skips it when a Service of that name exists.
      "apiVersion": "leaderworkerset.x-k8s.io/v1", "kind": "LeaderWorkerSet", "metadata": metadata(Self.groupName, labels: "llm"),
      "spec": [
        "replicas": .int(stack.request.replicas[.llm] ?? 1),
        "leaderWorkerTemplate": [
          "size": .int(multiNode.nodes), "restartPolicy": "RecreateGroupOnPodRestart", "leaderTemplate": template("leader", leader),
          "workerTemplate": template("worker", worker),
        ],
      ],
    ]
    // Only the leaders serve the API.
    return [set, service(.llm, port: c.llm.port, selector: [Self.nameLabel: "llm", "role": "leader"])]
  }

  /// One word for `sh -c`: single-quoted unless it is plainly safe.
  static func shellQuoted(_ word: String) -> String {
    let safe = !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:@,".contains($0)) }
    return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
