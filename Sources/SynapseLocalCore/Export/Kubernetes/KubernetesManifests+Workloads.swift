/// The workloads: the database, the engines and the apps.
extension KubernetesManifests {
  func db() -> [ManifestNode] {
    let volumeSpec: [(String, ManifestNode)] =
      [("accessModes", ["ReadWriteOnce"])] + (stack.request.storageClass.map { [("storageClassName", .string($0))] } ?? [])
      + [("resources", ["requests": ["storage": "20Gi"]])]
    let container: ManifestNode = .map(
      [
        ("name", "db"), ("image", .string(stack.images.postgresql)),
        (
          "env",
          [
            ["name": "POSTGRES_USER", "value": .string(c.db.user)], ["name": "POSTGRES_DB", "value": .string(c.db.name)],
            ["name": "POSTGRES_PASSWORD", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]]],
            ["name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"],
          ]
        ),
        ("ports", [["name": "postgres", "containerPort": 5432]]),
      ] + probes(.db) + [
        ("resources", Self.resources(memory: stack.dbMemoryBytes, cpus: 1)),
        ("volumeMounts", [["name": "data", "mountPath": "/var/lib/postgresql/data"]]),
      ])
    let statefulSet: ManifestNode = [
      "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": metadata("db"),
      "spec": [
        "serviceName": "db", "replicas": 1, "selector": ["matchLabels": [Self.nameLabel: "db"]],
        "template": ["metadata": ["labels": Self.labels("db")], "spec": ["containers": [container]]],
        "volumeClaimTemplates": [["metadata": ["name": "data"], "spec": .map(volumeSpec)]],
      ],
    ]
    return [statefulSet, service(.db, port: 5432)]
  }

  /// The llm: a Deployment, or across nodes a LeaderWorkerSet (`KubernetesManifests+MultiNode`).
  func llm() -> [ManifestNode] {
    if let multiNode = stack.multiNode { return leaderWorkerSet(multiNode) }
    var mounts: [ManifestNode] = [storeMount]
    var volumes: [ManifestNode] = [storeVolume]
    if c.engine == .vllm {
      // PyTorch shares tensors between vLLM's processes through /dev/shm.
      mounts.append(["name": "dshm", "mountPath": "/dev/shm"])
      volumes.append(["name": "dshm", "emptyDir": ["medium": "Memory", "sizeLimit": "8Gi"]])
    }
    let container: ManifestNode = .map(
      [
        ("name", "llm"), ("image", .string(stack.images.llm(c, onGPU: stack.llmOnGPU))),
        ("args", .list(stack.llmArguments.map { .string(Self.literal($0)) })),
        ("env", Self.env([("OMP_NUM_THREADS", String(c.llm.threads)), ("HF_HUB_OFFLINE", "1")])),
        ("ports", [["name": "http", "containerPort": .int(c.llm.port)]]),
      ] + probes(.llm) + [
        ("resources", Self.resources(memory: stack.llmMemoryBytes, cpus: stack.llmCPUs, gpus: stack.gpusPerPod)),
        ("volumeMounts", .list(mounts)),
      ])
    let pod = podSpec([container], volumes: volumes, placement: true, waitFor: stack.images.llm(c, onGPU: stack.llmOnGPU))
    // A new GPU pod cannot start beside the old one on a node whose GPUs it holds: replace, not surge.
    return [
      deployment(.llm, replicas: stack.request.replicas[.llm] ?? 1, pod: pod, recreate: stack.gpusPerPod > 0),
      service(.llm, port: c.llm.port),
    ]
  }

  func embedding() -> [ManifestNode] {
    let spec = stack.services[.embedding]
    let keys = ["EMBEDDING_MODEL_NAME", "EMBEDDING_BATCH_SIZE", "HF_HUB_OFFLINE"]
    let environment =
      [("EMBEDDING_MODEL", stack.embeddingPath), ("EMBEDDING_HOST", "0.0.0.0"), ("EMBEDDING_PORT", String(c.embedding.port))]
      + keys.compactMap { key in spec?.environment[key].map { (key, $0) } } + [("OMP_NUM_THREADS", String(stack.embeddingCPUs))]
    let container: ManifestNode = .map(
      [
        ("name", "embedding"), ("image", .string(stack.request.images[.embedding] ?? "")), ("env", Self.env(environment)),
        ("ports", [["name": "http", "containerPort": .int(c.embedding.port)]]),
      ] + probes(.embedding) + [
        ("resources", Self.resources(memory: stack.embeddingMemoryBytes, cpus: stack.embeddingCPUs)),
        ("volumeMounts", [storeMount]),
      ])
    // Kept on the llm's node (a ReadWriteOnce store): it must be allowed where the llm is.
    let pod = podSpec([container], volumes: [storeVolume], placement: storeAffinity != nil, waitFor: stack.request.images[.embedding] ?? "")
    return [
      deployment(.embedding, replicas: stack.request.replicas[.embedding] ?? 1, pod: pod), service(.embedding, port: c.embedding.port),
    ]
  }

  /// The backend or frontend: the user's image, its port and health check, and what it must know:
  /// the backend the `.env` keys with the services' names for hosts and the database URL built
  /// from the Secret; the frontend where the backend is.
  func app(_ name: ServiceName, _ app: ProjectConfiguration.App) -> [ManifestNode] {
    var environment: [ManifestNode] = []
    let plain = { (key: String, value: String) -> ManifestNode in ["name": .string(key), "value": .string(Self.literal(value))] }
    if name == .backend {
      environment.append(["name": "POSTGRES_PASSWORD", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]]])
      // The one `$(...)` meant to be replaced: the password from the Secret.
      let url = "postgresql://\(Self.literal(c.db.user)):$(POSTGRES_PASSWORD)@db:5432/\(Self.literal(c.db.name))"
      environment.append(["name": "DATABASE_URL", "value": .string(url)])
      for (key, value) in stack.backendEnvironment { environment.append(plain(key, value)) }
      if c.frontend.enabled { environment.append(plain(app.variable, "http://frontend:\(c.frontend.port)")) }
    } else if c.backend.enabled {
      environment.append(plain(app.variable, "http://backend:\(c.backend.port)"))
    }
    environment += [plain("PORT", String(app.port)), plain("HOST", "0.0.0.0")]
    if app.mode == .production { environment.append(plain("NODE_ENV", "production")) }
    let container: ManifestNode = .map(
      [
        ("name", .string(name.rawValue)), ("image", .string(stack.request.images[name] ?? "")), ("env", .list(environment)),
        ("ports", [["name": "http", "containerPort": .int(app.port)]]),
      ] + probes(name) + [
        ("resources", Self.resources(memory: name == .backend ? stack.backendMemoryBytes : stack.frontendMemoryBytes, cpus: 1))
      ])
    return [deployment(name, replicas: 1, pod: ["containers": [container]]), service(name, port: app.port)]
  }

  /// A pod of the model store's readers: where the store is one node's disk (ReadWriteOnce) and
  /// more than one pod reads it, they are kept on the node that has it. `placement`: the llm's
  /// node selector and tolerations apply.
  func podSpec(_ containers: [ManifestNode], volumes: [ManifestNode], placement: Bool, waitFor image: String? = nil) -> ManifestNode {
    var entries: [(String, ManifestNode)] = []
    if placement && !stack.request.nodeSelector.isEmpty {
      entries.append(("nodeSelector", .map(stack.request.nodeSelector.map { ($0.0, .string($0.1)) })))
    }
    if placement && !stack.request.tolerations.isEmpty {
      entries.append(
        (
          "tolerations",
          .list(
            stack.request.tolerations.map { t in
              .map(
                [("key", .string(t.key)), ("operator", t.value == nil ? "Exists" : "Equal")]
                  + (t.value.map { [("value", .string($0))] } ?? [])
                  + [("effect", .string(t.effect))])
            })
        ))
    }
    if let affinity = storeAffinity { entries.append(("affinity", affinity)) }
    if let image { entries.append(("initContainers", [waitForStore(image: image)])) }
    entries += [("containers", .list(containers)), ("volumes", .list(volumes))]
    return .map(entries)
  }

  /// One node for every reader of a ReadWriteOnce store when there is more than one reader.
  var storeAffinity: ManifestNode? {
    let readers = (stack.request.replicas[.llm] ?? 1) * (stack.multiNode?.nodes ?? 1) + (stack.request.replicas[.embedding] ?? 1)
    guard !stack.request.sharedStore, stack.multiNode == nil, readers > 1 else { return nil }
    return [
      "podAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": [
          [
            "labelSelector": [
              "matchExpressions": [["key": .string(Self.nameLabel), "operator": "In", "values": ["llm", "embedding", "model-store-fill"]]]
            ],
            "topologyKey": "kubernetes.io/hostname",
          ]
        ]
      ]
    ]
  }
}
