import Foundation
import SynapseLocalSystem

/// `export kubernetes`: the project's plan as manifests in a folder, with a `kustomization.yaml`.
/// The models come from the lock (the cluster's store is filled by a Job at the locked commits),
/// so they must have been pulled; the images built from the user's checkout must be named.
public struct KubernetesExporter: Sendable {
  public struct Result: Codable, Sendable, Equatable {
    public var output: String
    public var namespace: String
    public var files: [String]
    /// Pods per llm group and GPUs per pod when vLLM runs across nodes; nil otherwise.
    public var nodes: Int?
    public var gpusPerNode: Int?
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
      case output, namespace, files, nodes, notes
      case gpusPerNode = "gpus_per_node"
    }
  }

  public var context: Context
  public var catalog: ModelCatalog

  public init(context: Context, catalog: ModelCatalog) {
    self.context = context
    self.catalog = catalog
  }

  public func run(_ request: KubernetesRequest) async throws -> Result {
    let stack = try await assemble(request)
    let files = context.files
    try files.createDirectory(request.output, permissions: 0o755)
    var written: [String] = []
    for (name, documents) in KubernetesManifests(stack: stack).files() {
      let text =
        "# Written by synapse-local export kubernetes from \(ProjectConfiguration.fileName); edit freely (docs/kubernetes.md).\n"
        + documents.map { $0.yaml() }.joined(separator: "---\n")
      try files.write(text, to: request.output + "/" + name, permissions: 0o644)
      written.append(name)
    }
    // The database password: made once and kept, so exporting again does not lock the cluster's
    // database out. Only the kustomization's secretGenerator reads it.
    let secret = request.output + "/" + KubernetesManifests.secretFile
    try files.createDirectory(request.output + "/secrets", permissions: 0o700)
    // kustomize reads the file byte for byte: no newline may end up in the password.
    let kept = files.readText(secret).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap {
      DatabaseSecret.isWellFormed($0) ? $0 : nil
    }
    try files.write(kept ?? DatabaseSecret.randomText(count: 32), to: secret, permissions: 0o600)
    // The folder of manifests is meant to be committed; the password is not.
    try files.write("# The database password: never commit it.\n*\n", to: request.output + "/secrets/.gitignore", permissions: 0o644)
    written.append(KubernetesManifests.secretFile)
    return Result(
      output: request.output, namespace: request.namespace, files: written, nodes: stack.multiNode?.nodes,
      gpusPerNode: stack.multiNode?.gpusPerNode, notes: notes(stack))
  }

  func notes(_ stack: KubernetesStack) -> [String] {
    let c = stack.configuration
    var notes = ["apply with: kubectl apply -k \(stack.request.output); the model store fills first (job/model-store-fill)"]
    if let multiNode = stack.multiNode {
      notes.append(
        "the llm runs on \(multiNode.nodes) nodes of \(multiNode.gpusPerNode) GPUs (tensor parallel \(multiNode.gpusPerNode), pipeline parallel \(multiNode.nodes)) as a LeaderWorkerSet: the LeaderWorkerSet controller must be installed in the cluster (https://lws.sigs.k8s.io)"
      )
    }
    if !stack.request.sharedStore && (stack.request.replicas.values.contains { $0 > 1 }) {
      notes.append(
        "the model store is ReadWriteOnce, so every llm and embedding pod runs on one node; for replicas on several nodes, give --shared-store and a --storage-class with ReadWriteMany (docs/kubernetes.md)"
      )
    }
    if c.frontend.enabled && c.backend.enabled {
      notes.append(
        "\(c.frontend.variable) is http://backend:\(c.backend.port), the backend's name inside the cluster: set it to the URL browsers reach the backend at (an Ingress) before you build the frontend's image"
      )
      notes.append(
        "the backend's \(c.backend.variable) is http://frontend:\(c.frontend.port): set it to the origin browsers load the frontend from (the Ingress URL), or the browser's calls are refused"
      )
    }
    notes.append("images are pinned by tag (profiles/images.yaml and --image): pin digests (image@sha256:...) for production")
    return notes
  }

  /// The stack the manifests describe, from the project as `up` and `generate` read it.
  public func assemble(_ request: KubernetesRequest) async throws -> KubernetesStack {
    let environment = context.environment
    let files = context.files
    let project = request.project
    let (configuration, lines) = try ProjectFile.loadWithLines(project: project, environment: environment, files: files)
    let problems = ProjectFile.referenceProblems(
      configuration, catalog: catalog, project: project, file: ProjectFile.path(in: project), lines: lines, environment: environment,
      files: files)
    guard problems.isEmpty else { throw ProjectError.invalid(problems) }
    try checkImages(request, configuration)
    let multiNode = try KubernetesStack.multiNode(configuration, gpusPerNode: request.gpusPerNode)
    if let multiNode, !request.sharedStore {
      throw ExportError.missingOption(
        "the llm needs \(multiNode.nodes) nodes of \(multiNode.gpusPerNode) GPUs, and each node must read the model store: give --shared-store and a --storage-class that offers ReadWriteMany"
      )
    }
    let hardware: HardwareReport =
      configuration.hardware.isEmpty
      ? try await HardwareDetector.detect(context)
      : try HardwareReport.load(
        path: AbsolutePath.resolve(configuration.hardware, relativeTo: project, environment: environment), files: context.files)
    let resolver = try configuration.modelResolver(project: project, catalog: catalog, environment: environment, files: files)
    let llm = try resolver.resolve(configuration.llm.model, role: .llm, engine: configuration.engine)
    let embedding = try resolver.resolve(configuration.embedding.model, role: .embedding, engine: configuration.engine)
    let storeFiles = try lockedFiles([(llm, "llm"), (embedding, "embedding")], resolver: resolver)

    let layout = PostgresLayout(dataDirectory: "", socketDirectory: "", user: nil, uid: 0, gid: 0, relocation: nil)
    let planner = ServicePlanner(
      configuration: configuration, project: project, llmPath: llm.containerPath, embeddingPath: embedding.containerPath,
      store: ModelResolver.containerStore, database: layout, env: [:], baseEnvironment: [:])
    let services = Dictionary(uniqueKeysWithValues: planner.services().map { ($0.name, $0) })
    var perPod = configuration
    if let multiNode {
      perPod.llm.tensorParallelSize = multiNode.gpusPerNode
      perPod.llm.pipelineParallelSize = multiNode.nodes
    }
    // Memory per pod: each pod of a multi-node group holds its node's share.
    let generator = StackGenerator(
      project: project, configuration: perPod, catalog: catalog, hardware: hardware, resolver: resolver,
      renderer: try TemplateRenderer.live(environment: environment, files: context.files), images: try context.resources.loadImages(),
      dbPassword: "unused",
      fileSystem: files)
    let onGPU = configuration.engine == .vllm || (configuration.llm.gpuLayers > 0 && !hardware.nvidiaGPUs.isEmpty)
    let settings = perPod.llm
    let arguments =
      configuration.engine == .vllm
      ? EngineArguments.vllm(model: ["--model", llm.containerPath], host: "0.0.0.0", port: configuration.llm.port, llm: settings)
        + (multiNode == nil ? [] : ["--distributed-executor-backend", "ray"])
      : EngineArguments.llamaCpp(model: llm.containerPath, host: "0.0.0.0", port: configuration.llm.port, llm: settings)
    let cores = max(1, hardware.cpu.effectiveCores)
    return KubernetesStack(
      configuration: configuration, request: request, images: generator.images, services: services, llmPath: llm.containerPath,
      embeddingPath: embedding.containerPath, llmArguments: arguments, llmOnGPU: onGPU,
      gpusPerPod: configuration.engine == .vllm ? (multiNode?.gpusPerNode ?? configuration.llm.tensorParallelSize) : (onGPU ? 1 : 0),
      multiNode: multiNode, llmMemoryBytes: generator.llmMemoryLimit(), embeddingMemoryBytes: generator.embeddingMemoryLimit(),
      llmCPUs: min(configuration.llm.threads, cores), embeddingCPUs: min(2, cores), dbMemoryBytes: catalog.headroom.postgresBytes,
      backendMemoryBytes: catalog.headroom.backendBytes, frontendMemoryBytes: catalog.headroom.backendBytes,
      backendEnvironment: try backendEnvironment(configuration, generator: generator), storeFiles: storeFiles)
  }

  /// The images built from the user's checkout, all named, or one line naming what is missing.
  func checkImages(_ request: KubernetesRequest, _ c: ProjectConfiguration) throws {
    var needed: [(ServiceName, String)] = [(.embedding, StackGenerator.embeddingFolder + "/Dockerfile")]
    if c.backend.enabled { needed.append((.backend, c.backend.dir)) }
    if c.frontend.enabled { needed.append((.frontend, c.frontend.dir)) }
    let missing = needed.filter { request.images[$0.0] == nil }
    guard !missing.isEmpty else { return }
    let flags = missing.map { "--image \($0.0.rawValue)=IMAGE (built from \($0.1))" }.joined(separator: ", ")
    throw ExportError.missingOption("the cluster runs images built from your checkout; name them: \(flags)")
  }

  /// The lock's entries for the resolved models: the files the cluster's store is filled with.
  func lockedFiles(_ models: [(ModelResolver.Resolved, String)], resolver: ModelResolver) throws -> [KubernetesStack.StoreFile] {
    var found: [KubernetesStack.StoreFile] = []
    for (model, role) in models {
      guard let repository = model.repository, let commit = model.commit else {
        throw ExportError.missing(
          "the \(role) model is a local path (\(model.hostPath)); the cluster's model store is filled from the Hub at the lock's commits: use a Hub model (pull it), or copy the files into the model-store volume yourself"
        )
      }
      // One file (a GGUF) when the model is one; else every file the lock pins at that commit.
      let file = HubCache.pathInSnapshot(model.hostPath, commit: commit)
      let entries = (resolver.lock?.files ?? []).filter {
        $0.repository == repository && $0.commit == commit && (file == nil || $0.path == file)
      }
      guard !entries.isEmpty else {
        throw ExportError.missing(
          "synapse-local.lock pins no file of the \(role) model \(repository)@\(commit): pull it (synapse-local pull) so the cluster fetches the same bytes"
        )
      }
      try entries.forEach(Self.checkLocked)
      found += entries.map {
        .init(
          repository: $0.repository, commit: $0.commit, path: $0.path, size: $0.size, sha256: $0.sha256, revision: $0.revision,
          imported: $0.imported == true)
      }
    }
    return found
  }

  /// A lock's values go into the fill Job's script and `sha256sum -c` input: quoted there, but a
  /// line break would still split a checksum line, and no Hub name or digest has one.
  static func checkLocked(_ entry: ProjectLock.Entry) throws {
    for (what, value) in [("repository", entry.repository), ("commit", entry.commit), ("revision", entry.revision), ("path", entry.path)] {
      guard let bad = ControlCharacters.first(in: value) else { continue }
      throw ExportError.badInput(
        "synapse-local.lock: the \(what) \(value.debugDescription) of \(entry.repository.debugDescription) has the control character \(ControlCharacters.name(bad)); no Hub file has one: pull the model again to rewrite the lock"
      )
    }
    if let digest = entry.sha256, !PathSafety.isSHA256(digest) {
      throw ExportError.badInput(
        "synapse-local.lock: the SHA-256 \(digest.debugDescription) of \(entry.path.debugDescription) is not 64 hexadecimal digits: pull the model again to rewrite the lock"
      )
    }
  }

  /// The `.env` keys the backend reads, without the secret ones, with the services' names for hosts.
  func backendEnvironment(_ c: ProjectConfiguration, generator: StackGenerator) throws -> [(String, String)] {
    let text = try generator.renderer.render("env", try generator.envContext())
    let inCluster = [
      "LOCAL_LLM_ENDPOINT": "http://llm:\(c.llm.port)", "LOCAL_EMBEDDING_ENDPOINT": "http://embedding:\(c.embedding.port)",
    ]
    return ServicePlanner.envPairs(text).filter { !KubernetesStack.secretKeys.contains($0.0) }.map { key, value in
      (key, inCluster[key] ?? value)
    }
  }
}
