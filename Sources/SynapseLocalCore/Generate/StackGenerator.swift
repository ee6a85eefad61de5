import Foundation
import SynapseLocalSystem

/// Renders `.env`, `docker-compose.local.yml` and `services/embedding/` from the project's plan.
public struct StackGenerator: Sendable {
  public var project: String
  public var configuration: ProjectConfiguration
  public var catalog: ModelCatalog
  public var hardware: HardwareReport
  public var resolver: ModelResolver
  public var renderer: TemplateRenderer
  /// The engines' and the database's images (profiles/images.yaml), the same the manifests use.
  public var images: EngineImages
  public var dbPassword: String
  /// Where the store's link and the llm file's size are read (`files()` is what it generates).
  public var fileSystem: any FileSystem

  public init(
    project: String, configuration: ProjectConfiguration, catalog: ModelCatalog, hardware: HardwareReport,
    resolver: ModelResolver, renderer: TemplateRenderer, images: EngineImages, dbPassword: String,
    fileSystem: any FileSystem
  ) {
    self.images = images
    self.project = project
    self.configuration = configuration
    self.catalog = catalog
    self.hardware = hardware
    self.resolver = resolver
    self.renderer = renderer
    self.dbPassword = dbPassword
    self.fileSystem = fileSystem
  }

  public static let envFile = ".env"
  public static let composeFile = "docker-compose.local.yml"
  public static let embeddingFolder = "services/embedding"

  public func files() throws -> [GeneratedFile] {
    let c = configuration
    let llm = try resolver.resolve(c.llm.model, role: .llm, engine: c.engine)
    let embedding = try resolver.resolve(c.embedding.model, role: .embedding, engine: c.engine)
    return [
      GeneratedFile(path: Self.envFile, contents: try renderer.render("env", try envContext()), permissions: 0o600),
      GeneratedFile(
        path: Self.composeFile,
        contents: try renderer.render("compose/docker-compose.local.yml", composeContext(llm: llm, embedding: embedding))),
      GeneratedFile(
        path: Self.embeddingFolder + "/embedding_server.py",
        contents: try renderer.render("embedding/embedding_server.py", embeddingContext(embedding))),
      GeneratedFile(path: Self.embeddingFolder + "/requirements.txt", contents: try renderer.render("embedding/requirements.txt", [:])),
      GeneratedFile(
        path: Self.embeddingFolder + "/Dockerfile", contents: try renderer.render("embedding/Dockerfile", ["port": c.embedding.port])),
    ]
  }

  /// The name the engine serves the llm under, as its flag.
  var nameFlag: String { configuration.engine == .vllm ? "--served-model-name" : "--alias" }

  func envContext() throws -> [String: Any] {
    let c = configuration
    let e = EnvValue.string
    let secret = DatabaseSecret.path(state: c.paths.state)
    return [
      "profile_note": try EnvValue.comment(c.profile.isEmpty ? "no profile" : "profile \(c.profile)"),
      "engine": c.engine.rawValue, "name_flag": nameFlag,
      "llm_endpoint": try e("http://127.0.0.1:\(c.llm.port)"), "llm_model": try e(c.llm.servedName),
      "embedding_endpoint": try e("http://127.0.0.1:\(c.embedding.port)"), "embedding_model": try e(c.embedding.servedName),
      "embedding_dimensions": c.embedding.dimensions,
      "secret_path": try EnvValue.comment(secret),
      "database_url": try e("postgresql://\(c.db.user):\(dbPassword)@127.0.0.1:\(c.db.port)/\(c.db.name)"),
      "db_password": try e(dbPassword),
      "llm_context": c.llm.context, "llm_timeout": c.llm.timeoutMs, "embedding_batch_size": c.embedding.batchSize,
    ]
  }

  func composeContext(llm: ModelResolver.Resolved, embedding: ModelResolver.Resolved) throws -> [String: Any] {
    let c = configuration
    // Compose replaces `$VAR` and `${VAR}` anywhere in the file: every value's `$` is doubled, so
    // the password's references in the template are the only ones (a served name
    // `${SYNAPSE_LOCAL_DB_PASSWORD}` would otherwise serve the password as the model's name).
    let y = { (value: String) in YAMLScalar.string(Self.composeLiteral(value)) }
    let json = { (value: String) in PythonString.literal(Self.composeLiteral(value)) }
    let store = fileSystem.linkTarget(resolver.cache.root) ?? resolver.cache.root
    let storeVolume = y("\(store):\(ModelResolver.containerStore):ro")
    // A model given as a local path is mounted for its own service only.
    let llmVolumes = [storeVolume] + (llm.localMount.map { [y($0)] } ?? [])
    let embeddingVolumes = [storeVolume] + (embedding.localMount.map { [y($0)] } ?? [])
    // Containers get NVIDIA devices only; an AMD GPU is not passed through (docs/DECISIONS.md).
    let onGPU = c.engine == .vllm || (c.llm.gpuLayers > 0 && !hardware.nvidiaGPUs.isEmpty)
    let command =
      c.engine == .vllm
      ? EngineArguments.vllm(model: ["--model", llm.containerPath], host: "0.0.0.0", port: c.llm.port, llm: c.llm)
      : EngineArguments.llamaCpp(model: llm.containerPath, host: "0.0.0.0", port: c.llm.port, llm: c.llm)
    let cores = max(1, hardware.cpu.effectiveCores)
    var context: [String: Any] = [
      "project_name": y(Self.composeProjectName(project)),
      "expose": c.expose,
      "db_user": y(c.db.user), "db_name": y(c.db.name), "db_user_json": json(c.db.user), "db_name_json": json(c.db.name),
      "db_port": c.db.port,
      "llama": c.engine == .llamaCpp, "vllm": c.engine == .vllm,
      "llm_image": images.llm(c, onGPU: onGPU), "db_image": images.postgresql,
      "llm_command": command.map(json).joined(separator: ", "),
      "llm_volumes": llmVolumes, "embedding_volumes": embeddingVolumes,
      "llm_threads": c.llm.threads, "llm_port": c.llm.port,
      "llm_start_period": c.engine == .vllm ? "600s" : "300s",
      "llm_cpus": min(c.llm.threads, cores), "llm_memory": Self.composeBytes(llmMemoryLimit()),
      "embedding_path": y(embedding.containerPath), "embedding_name": y(c.embedding.servedName), "embedding_port": c.embedding.port,
      "embedding_batch_size": c.embedding.batchSize, "embedding_threads": min(2, cores), "embedding_cpus": min(2, cores),
      "embedding_memory": Self.composeBytes(embeddingMemoryLimit()),
      "backend": c.backend.enabled, "frontend": c.frontend.enabled,
      "backend_context": y(appContext(c.backend.dir)), "frontend_context": y(appContext(c.frontend.dir)),
      "backend_port": c.backend.port, "frontend_port": c.frontend.port,
      // Quoted whole: a user name such as `on` would otherwise be quoted inside the URL.
      "backend_database_url": YAMLScalar.string(
        "postgresql://\(Self.composeLiteral(c.db.user)):${SYNAPSE_LOCAL_DB_PASSWORD}@db:5432/\(Self.composeLiteral(c.db.name))"),
      // The browser calls the backend where it is published on the host.
      "frontend_api_url": y("http://127.0.0.1:\(c.backend.port)"), "frontend_api_variable": y(c.frontend.variable),
      "backend_cors_variable": y(c.backend.variable), "backend_cors_origin": y("http://127.0.0.1:\(c.frontend.port)"),
      "user_bind": c.expose ? "" : "127.0.0.1:",
    ]
    if onGPU {
      context["gpu"] = true
      context["gpu_count"] = c.engine == .vllm ? String(c.llm.tensorParallelSize * c.llm.pipelineParallelSize) : "all"
    }
    return context
  }

  /// A value as Compose reads it back: `$` doubled.
  static func composeLiteral(_ value: String) -> String { value.replacingOccurrences(of: "$", with: "$$") }

  func embeddingContext(_ embedding: ModelResolver.Resolved) -> [String: Any] {
    let c = configuration
    return [
      "model_path": PythonString.literal(embedding.hostPath), "model_name": PythonString.literal(c.embedding.servedName),
      "host": PythonString.literal("127.0.0.1"), "port": c.embedding.port, "batch_size": c.embedding.batchSize,
    ]
  }

  /// The llm container's memory limit: the catalog estimate at the planned context plus a quarter,
  /// or the file's size plus 1 GiB for a model the catalog does not know.
  func llmMemoryLimit() -> UInt64 {
    let c = configuration
    // vLLM's weights live in VRAM, whatever the model; the container's RAM holds its process, CPU
    // swap space and loading buffers: twice the planner's host reserve, within what the machine has.
    if c.engine == .vllm {
      return min(
        2 * EnginePlanner.vllmHostMemory(gpus: c.llm.tensorParallelSize), max(hardware.memory.effectiveBytes * 3 / 4, ByteCount.gibibyte))
    }
    if MemoryNeed.catalogModel(c.llm.model, role: .llm, catalog: catalog) != nil,
      let estimate = MemoryNeed.llm(
        ref: c.llm.model, engine: c.engine, context: c.llm.context, tensorParallel: c.llm.tensorParallelSize, catalog: catalog, path: nil,
        files: fileSystem)
    {
      return estimate.totalBytes + estimate.totalBytes / 4
    }
    // A stored file is a link to its blob: the size is the blob's, not the link's.
    let size = (try? resolver.resolve(c.llm.model, role: .llm, engine: c.engine)).flatMap { fileSystem.size($0.hostPath) } ?? 0
    return size + ByteCount.gibibyte
  }

  /// The measured embedding server footprint (catalog `ram_bytes`) plus half, for batches. The
  /// compose file's embedding service is the sentence-transformers container whatever
  /// `embedding.engine` says (docs/generated-files.md).
  func embeddingMemoryLimit() -> UInt64 {
    let c = configuration
    if let ram = MemoryNeed.embedding(ref: c.embedding.model, catalog: catalog, weightsBytes: nil, engine: .sentenceTransformers) {
      return ram + ram / 2
    }
    return 2 * ByteCount.gibibyte
  }

  func appContext(_ dir: String) -> String {
    if dir.hasPrefix("/") { return dir }
    let base = configuration.paths.synapse
    let joined = base == "." ? dir : base + "/" + dir
    return joined.hasPrefix("/") || joined.hasPrefix(".") ? joined : "./" + joined
  }

  /// Compose memory values: whole mebibytes, rounded up ("1536m").
  static func composeBytes(_ bytes: UInt64) -> String {
    "\((bytes + ByteCount.mebibyte - 1) / ByteCount.mebibyte)m"
  }

  /// Compose project names: lowercase letters, digits, '-' and '_', starting with a letter or digit.
  static func composeProjectName(_ project: String) -> String {
    let base = (URL(fileURLWithPath: project).standardizedFileURL.lastPathComponent).lowercased()
    let cleaned = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
    let trimmed = cleaned.drop { !($0.isLetter || $0.isNumber) }
    return trimmed.isEmpty ? "synapse-local" : String(trimmed)
  }
}
