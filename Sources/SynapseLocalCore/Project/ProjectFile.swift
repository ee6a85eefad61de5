import Foundation
import SynapseLocalSystem

/// Reading and writing `synapse-local.yaml` in a project folder.
public enum ProjectFile {
  public static func path(in project: String) -> String { project + "/" + ProjectConfiguration.fileName }

  /// The project's configuration with the binary environment variables applied.
  public static func load(
    project: String, environment: [String: String], files: any FileSystem
  ) throws -> ProjectConfiguration {
    try loadWithLines(project: project, environment: environment, files: files).0
  }

  /// Also the line of each key, for problems found later (a missing binary, an unknown model).
  public static func loadWithLines(
    project: String, environment: [String: String], files: any FileSystem
  ) throws -> (ProjectConfiguration, [String: Int]) {
    let path = path(in: project)
    guard let data = files.contents(path) else {
      if files.exists(path) { throw ProjectError.unreadable(path: path, reason: "permission denied") }
      throw ProjectError.notFound(path: project)
    }
    var lines: [String: Int] = [:]
    var configuration = try ProjectSchema.parse(
      String(decoding: data, as: UTF8.self), file: path, over: ProjectConfiguration(), lines: &lines)
    // Nothing set is no project yet, not a project that lacks its models.
    if lines.isEmpty { throw ProjectError.empty(path: path, project: project) }
    configuration.binaries = BinaryLocator(environment: environment, files: files).applyingOverrides(to: configuration.binaries)
    return (configuration, lines)
  }

  /// Model REFs that name nothing: a catalog id the catalog lacks (or of the other role), a local
  /// path that does not exist or an engine would refuse (`ModelFileCheck`); and a vector size
  /// that is not the embedding model's.
  public static func referenceProblems(
    _ c: ProjectConfiguration, catalog: ModelCatalog, project: String, file: String, lines: [String: Int],
    environment: [String: String] = [:],
    files: any FileSystem
  ) -> [ProjectProblem] {
    var problems: [ProjectProblem] = []
    for (key, ref, role) in [("llm.model", c.llm.model, ModelRole.llm), ("embedding.model", c.embedding.model, ModelRole.embedding)] {
      let message: String?
      switch ref {
      case .catalog(let id, _):
        do {
          _ = try catalog.model(id: id, role: role)
          message = nil
        } catch {
          message = "\(error)"
        }
      case .local(let path):
        let absolute = AbsolutePath.resolve(path, relativeTo: project, environment: environment)
        message = ModelFileCheck.problem(absolute, role: role, engine: c.engine, files: files)
      default:
        message = nil
      }
      if let message { problems.append(ProjectProblem(file: file, line: lines[key] ?? 0, key: key, message: message)) }
    }
    guard problems.isEmpty else { return problems }
    // LOCAL_EMBEDDING_DIMENSIONS must be the model's vector size, wherever that size is known.
    if let size = embeddingSize(c, catalog: catalog, project: project, environment: environment, files: files),
      size != c.embedding.dimensions
    {
      problems.append(
        ProjectProblem(
          file: file, line: lines["embedding.dimensions"] ?? lines["embedding.model"] ?? 0, key: "embedding.dimensions",
          message:
            "\(c.embedding.dimensions), but \(c.embedding.model) gives \(size)-dimensional vectors: set embedding.dimensions: \(size) (LOCAL_EMBEDDING_DIMENSIONS and the pgvector columns must match the model)"
        ))
    }
    return problems
  }

  /// The embedding model's vector size: the catalog's, else read from its folder (local or stored).
  static func embeddingSize(
    _ c: ProjectConfiguration, catalog: ModelCatalog, project: String, environment: [String: String], files: any FileSystem
  ) -> Int? {
    if let id = c.embedding.model.catalogID { return (try? catalog.model(id: id, role: .embedding))?.dimensions }
    let resolver = try? c.modelResolver(project: project, catalog: catalog, environment: environment, files: files)
    guard let folder = try? resolver?.resolve(c.embedding.model, role: .embedding, engine: c.engine).hostPath else { return nil }
    return EmbeddingDimensions.read(folder: folder, files: files)
  }

  /// The file's text, rendered from `templates/project/synapse-local.yaml.mustache`.
  /// `tuned`: what `tune` measured, written as a comment above the keys it set.
  public static func render(_ c: ProjectConfiguration, renderer: TemplateRenderer, tuned: String? = nil) throws -> String {
    let s = YAMLScalar.string
    var context: [String: Any] = [
      "profile_set": !c.profile.isEmpty, "profile_name": c.profile, "profile": c.profile.isEmpty ? "\"\"" : s(c.profile),
      "engine": s(c.engine.rawValue), "prefer": s(c.prefer.rawValue),
      "hardware": c.hardware.isEmpty ? "\"\"" : s(c.hardware), "expose": c.expose, "expose_models": c.exposeModels,
      "llm_model": s(c.llm.model.description), "llm_name": s(c.llm.servedName), "llm_port": c.llm.port, "llm_context": c.llm.context,
      "llm_threads": c.llm.threads, "llm_threads_batch": c.llm.threadsBatch, "llm_batch_size": c.llm.batchSize,
      "llm_ubatch_size": c.llm.ubatchSize, "llm_flash_attention": s(c.llm.flashAttention.rawValue),
      "llm_chat_template": c.llm.chatTemplate.isEmpty ? "\"\"" : s(c.llm.chatTemplate), "llm_mlock": c.llm.mlock,
      "llm_tuned": tuned.map { "  # " + $0.split(separator: "\n").joined(separator: "\n  # ") + "\n" } ?? "",
      "llm_gpu_layers": c.llm.gpuLayers, "llm_timeout_ms": c.llm.timeoutMs,
      "llm_gpu_memory_utilization": String(format: "%.2f", c.llm.gpuMemoryUtilization),
      "llm_tensor_parallel_size": c.llm.tensorParallelSize, "llm_pipeline_parallel_size": c.llm.pipelineParallelSize,
      "llm_restart": c.llm.restart.rawValue, "llm_idle_unload_seconds": c.llm.idleUnloadSeconds, "llm_preload": c.llm.preload,
      "llm_slow_ratio": String(format: "%.2f", c.llm.slowRatio), "llm_restart_when_degraded": c.llm.restartWhenDegraded,
      "embedding_model": s(c.embedding.model.description), "embedding_name": s(c.embedding.servedName),
      "embedding_engine": c.embedding.engine.rawValue,
      "embedding_dimensions": c.embedding.dimensions,
      "embedding_port": c.embedding.port, "embedding_batch_size": c.embedding.batchSize, "embedding_hold_seconds": c.embedding.holdSeconds,
      "embedding_restart": c.embedding.restart.rawValue, "embedding_idle_unload_seconds": c.embedding.idleUnloadSeconds,
      "embedding_preload": c.embedding.preload,
      "status_port": c.status.port, "endpoint_head_seconds": c.endpoint.headSeconds, "endpoint_idle_seconds": c.endpoint.idleSeconds,
      "endpoint_max_head_bytes": c.endpoint.maxHeadBytes, "endpoint_max_body_bytes": c.endpoint.maxBodyBytes,
      "db_port": c.db.port, "db_name": s(c.db.name), "db_user": s(c.db.user), "db_restart": c.db.restart.rawValue,
      "paths_store": c.paths.store.isEmpty ? "\"\"" : s(c.paths.store), "paths_state": s(c.paths.state),
      "paths_synapse": s(c.paths.synapse),
      "binaries_block": binariesBlock(c.binaries),
    ]
    for (name, app) in [("backend", c.backend), ("frontend", c.frontend)] {
      let fields: [String: Any] = [
        "enabled": app.enabled, "dir": s(app.dir), "package_manager": app.packageManager.rawValue, "install": s(app.install),
        "build": s(app.build), "start": s(app.start), "migrate": s(app.migrate), "mode": app.mode.rawValue, "port": app.port,
        "health": s(app.health), "node": s(app.node), "variable": s(app.variable), "restart": app.restart.rawValue,
      ]
      for (key, value) in fields { context[name + "_" + key] = value }
    }
    return try renderer.render("project/synapse-local.yaml", context)
  }

  /// Only the programs someone chose: a default is a look-up `up` does, not a path to freeze here.
  public static func binariesBlock(_ binaries: ProjectConfiguration.Binaries) -> String {
    let defaults = ProjectConfiguration.Binaries()
    let set = [
      ("llama_server", binaries.llamaServer, defaults.llamaServer), ("vllm", binaries.vllm, defaults.vllm),
      ("python", binaries.python, defaults.python), ("pg_bin", binaries.pgBin, defaults.pgBin), ("node", binaries.node, defaults.node),
    ].filter { $0.1 != $0.2 }
    guard !set.isEmpty else { return "# binaries:\n#   llama_server: /opt/llama.cpp/llama-server" }
    return "binaries:\n" + set.map { "  \($0.0): \(YAMLScalar.string($0.1))" }.joined(separator: "\n")
  }
}
