import Foundation
import SynapseLocalSystem

/// The manifests, file by file, from a `KubernetesStack`: plain Kubernetes objects a person can
/// read and edit, and a `kustomization.yaml` that applies them (`kubectl apply -k DIR`).
public struct KubernetesManifests: Sendable {
  public var stack: KubernetesStack

  public init(stack: KubernetesStack) {
    self.stack = stack
  }

  var c: ProjectConfiguration { stack.configuration }
  /// The label every object carries, and the one that tells the services apart.
  static let partOf = "app.kubernetes.io/part-of"
  static let nameLabel = "app.kubernetes.io/name"
  static let storeMount = ModelResolver.containerStore
  public static let secretFile = "secrets/db-password"

  /// Each file with its documents, in the order `kustomization.yaml` lists them.
  public func files() -> [(name: String, documents: [ManifestNode])] {
    var files: [(String, [ManifestNode])] = [
      ("namespace.yaml", [namespace()]), ("db.yaml", db()), ("model-store.yaml", modelStore()), ("llm.yaml", llm()),
      ("embedding.yaml", embedding()),
    ]
    if c.backend.enabled { files.append(("backend.yaml", app(.backend, c.backend))) }
    if c.frontend.enabled { files.append(("frontend.yaml", app(.frontend, c.frontend))) }
    files.append(("network-policies.yaml", networkPolicies()))
    files.append(("kustomization.yaml", [kustomization(resources: files.map(\.0))]))
    return files
  }

  static func labels(_ name: String) -> ManifestNode {
    [nameLabel: .string(name), partOf: "synapse"]
  }

  func metadata(_ name: String, labels: String? = nil) -> ManifestNode {
    ["name": .string(name), "labels": Self.labels(labels ?? name)]
  }

  func namespace() -> ManifestNode {
    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(stack.request.namespace), "labels": [Self.partOf: "synapse"]]]
  }

  /// A ClusterIP Service named as the compose service, on the same port, selecting `selector`.
  func service(_ name: ServiceName, port: Int, selector: ManifestNode? = nil) -> ManifestNode {
    [
      "apiVersion": "v1", "kind": "Service", "metadata": metadata(name.rawValue),
      "spec": [
        "selector": selector ?? [Self.nameLabel: .string(name.rawValue)],
        "ports": [["name": "http", "port": .int(port), "targetPort": .int(port), "protocol": "TCP"]],
      ],
    ]
  }

  /// Our health check as the three probes: startup waits as long as `up` does (its readiness
  /// limit), readiness and liveness ask the same question afterwards.
  func probes(_ name: ServiceName) -> [(String, ManifestNode)] {
    guard let spec = stack.services[name] else { return [] }
    let check: ManifestNode
    switch spec.health {
    case .http(let url):
      let parts = URLComponents(string: url)
      check = ["httpGet": ["path": .string(parts?.path.isEmpty == false ? parts!.path : "/"), "port": .int(parts?.port ?? spec.port)]]
    case .embedding(let base, _):
      check = ["httpGet": ["path": "/health", "port": .int(URLComponents(string: base)?.port ?? spec.port)]]
    case .postgres:
      check = ["exec": ["command": ["pg_isready", "-h", "127.0.0.1", "-U", .string(c.db.user), "-d", .string(c.db.name)]]]
    }
    func probe(_ period: Int, _ failures: Int) -> ManifestNode {
      guard case .map(let entries) = check else { return check }
      return .map(entries + [("periodSeconds", .int(period)), ("timeoutSeconds", 5), ("failureThreshold", .int(failures))])
    }
    let startupFailures = max(3, Int((spec.readinessSeconds / 10).rounded(.up)))
    return [("startupProbe", probe(10, startupFailures)), ("readinessProbe", probe(10, 3)), ("livenessProbe", probe(20, 3))]
  }

  static func resources(memory: UInt64, cpus: Int, gpus: Int = 0) -> ManifestNode {
    let mebibytes = "\((memory + (1 << 20) - 1) >> 20)Mi"
    var requests: [(String, ManifestNode)] = [("cpu", .string(String(cpus))), ("memory", .string(mebibytes))]
    var limits: [(String, ManifestNode)] = [("memory", .string(mebibytes))]
    if gpus > 0 {
      requests.append(("nvidia.com/gpu", .string(String(gpus))))
      limits.append(("nvidia.com/gpu", .string(String(gpus))))
    }
    return ["requests": .map(requests), "limits": .map(limits)]
  }

  static func env(_ pairs: [(String, String)]) -> ManifestNode {
    .list(pairs.map { ["name": .string($0.0), "value": .string(literal($0.1))] })
  }

  /// A value for a container's `command`, `args` or `env`, where the kubelet replaces `$(NAME)`
  /// with another variable's value: `$` doubled, so a served name `$(POSTGRES_PASSWORD)` stays
  /// that text instead of becoming the database password.
  static func literal(_ value: String) -> String { value.replacingOccurrences(of: "$", with: "$$") }

  /// The model store, read-only: engines never write it.
  var storeVolume: ManifestNode {
    ["name": "model-store", "persistentVolumeClaim": ["claimName": "model-store", "readOnly": true]]
  }

  var storeMount: ManifestNode { ["name": "model-store", "mountPath": .string(Self.storeMount), "readOnly": true] }

  func deployment(_ name: ServiceName, replicas: Int, pod: ManifestNode, recreate: Bool = false) -> ManifestNode {
    [
      "apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata(name.rawValue),
      "spec": .map(
        [("replicas", .int(replicas))] + (recreate ? [("strategy", ["type": "Recreate"])] : [])
          + [
            ("selector", ["matchLabels": [Self.nameLabel: .string(name.rawValue)]]),
            ("template", ["metadata": ["labels": Self.labels(name.rawValue)], "spec": pod]),
          ]),
    ]
  }
}
