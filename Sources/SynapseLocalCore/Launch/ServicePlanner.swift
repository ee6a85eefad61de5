import Foundation
import SynapseLocalSystem

/// Turns the project's plan into the processes the supervisor runs: llama-server or vLLM with the
/// plan's flags, the generated embedding server, PostgreSQL in the foreground, the backend and the
/// frontend with the generated `.env` in their environment.
public struct ServicePlanner: Sendable {
  public var configuration: ProjectConfiguration
  public var project: String
  public var llmPath: String
  public var embeddingPath: String
  public var store: String
  public var database: PostgresLayout
  /// The database password (the health check connects with it).
  public var databasePassword = ""
  /// The generated `.env`, as key/value pairs.
  public var env: [String: String]
  /// The environment synapse-local itself runs with (PATH, HOME...), the base of every service's.
  public var baseEnvironment: [String: String]
  /// Internal ports for the engines behind the stable endpoints; without them the engines listen
  /// on the configured ports themselves.
  public var enginePorts: [ServiceName: Int] = [:]
  /// The apps as found on disk (their folders, dev servers).
  public var workspaces: [ServiceName: AppWorkspace] = [:]
  /// The embedding model's trained context when llama.cpp serves it (a whole input must fit).
  public var embeddingContext = 512
  /// The folder of the Node that runs the apps: first on their PATH.
  public var nodeFolder: String?

  public init(
    configuration: ProjectConfiguration, project: String, llmPath: String, embeddingPath: String, store: String,
    database: PostgresLayout, env: [String: String], baseEnvironment: [String: String]
  ) {
    self.configuration = configuration
    self.project = project
    self.llmPath = llmPath
    self.embeddingPath = embeddingPath
    self.store = store
    self.database = database
    self.env = env
    self.baseEnvironment = baseEnvironment
  }

  public func services() -> [ServiceSpec] {
    let c = configuration
    var all = [(db(), c.db.restart), (llm(), c.llm.restart), (embedding(), c.embedding.restart)]
    if c.backend.enabled { all.append((app(.backend, c.backend), c.backend.restart)) }
    if c.frontend.enabled { all.append((app(.frontend, c.frontend), c.frontend.restart)) }
    return all.map { spec, policy in
      var spec = spec
      spec.restart = policy
      return spec
    }
  }

  func db() -> ServiceSpec {
    let c = configuration
    let (executable, arguments) = database.command(
      c.binaries.pgBin + "/postgres",
      [
        "-D", database.dataDirectory, "-p", String(c.db.port), "-c", "listen_addresses=127.0.0.1", "-c",
        "unix_socket_directories=\(database.socketDirectory)",
      ])
    return ServiceSpec(
      name: .db, executable: executable, arguments: arguments, environment: baseEnvironment, port: c.db.port,
      health: .postgres(
        psql: c.binaries.pgBin + "/psql", socketDirectory: database.socketDirectory, port: c.db.port, user: c.db.user,
        password: databasePassword),
      readinessSeconds: 60, stopSignal: SIGINT)
  }

  func llm() -> ServiceSpec {
    let c = configuration
    let port = enginePorts[.llm] ?? c.llm.port
    let arguments =
      c.engine == .vllm
      ? EngineArguments.vllm(model: ["serve", llmPath], host: "127.0.0.1", port: port, llm: c.llm)
      : EngineArguments.llamaCpp(model: llmPath, host: "127.0.0.1", port: port, llm: c.llm)
    var environment = baseEnvironment
    environment["OMP_NUM_THREADS"] = String(c.llm.threads)
    environment["HF_HUB_OFFLINE"] = "1"
    var spec = ServiceSpec(
      name: .llm, executable: c.engine == .vllm ? c.binaries.vllm : c.binaries.llamaServer, arguments: arguments,
      environment: environment, port: c.llm.port, health: .http(url: "http://127.0.0.1:\(port)/health"),
      readinessSeconds: c.engine == .vllm ? 900 : 300, model: c.llm.servedName)
    spec.enginePort = enginePorts[.llm]
    spec.modelPath = llmPath
    spec.provider = c.engine == .vllm ? "vllm" : "llama.cpp"
    // The hold ends before the backend's own timeout would, so it gets the clean 503.
    spec.holdLimit = .seconds(max(1, c.llm.timeoutMs / 1000 - 2))
    spec.idleAfter = c.llm.idleUnloadSeconds > 0 ? .seconds(c.llm.idleUnloadSeconds) : nil
    spec.preload = c.llm.preload
    return spec
  }

  func embedding() -> ServiceSpec {
    let c = configuration
    let port = enginePorts[.embedding] ?? c.embedding.port
    var environment = baseEnvironment
    environment["EMBEDDING_MODEL"] = embeddingPath
    environment["EMBEDDING_MODEL_NAME"] = c.embedding.servedName
    environment["EMBEDDING_HOST"] = "127.0.0.1"
    environment["EMBEDDING_PORT"] = String(port)
    environment["EMBEDDING_BATCH_SIZE"] = String(c.embedding.batchSize)
    environment["HF_HUB_OFFLINE"] = "1"
    environment["HF_HUB_CACHE"] = store
    let llama = c.embedding.engine == .llamaCpp
    let arguments =
      llama
      ? EngineArguments.llamaCppEmbedding(
        model: embeddingPath, host: "127.0.0.1", port: port, servedName: c.embedding.servedName, context: embeddingContext)
      : [project + "/" + StackGenerator.embeddingFolder + "/embedding_server.py"]
    var spec = ServiceSpec(
      name: .embedding, executable: llama ? c.binaries.llamaServer : c.binaries.python, arguments: arguments,
      environment: environment, port: c.embedding.port,
      health: .embedding(base: "http://127.0.0.1:\(port)", dimensions: c.embedding.dimensions), readinessSeconds: 180,
      model: c.embedding.servedName)
    spec.enginePort = enginePorts[.embedding]
    spec.provider = llama ? "llama.cpp" : "sentence-transformers"
    spec.holdLimit = .seconds(c.embedding.holdSeconds)
    spec.idleAfter = c.embedding.idleUnloadSeconds > 0 ? .seconds(c.embedding.idleUnloadSeconds) : nil
    spec.preload = c.embedding.preload
    spec.modelPath = embeddingPath
    return spec
  }

  /// The backend or frontend: its start command through the shell (`exec`, so the pid is the
  /// package manager's), in its folder, with its environment. A dev server that compiles on its
  /// first start gets longer to become healthy.
  func app(_ name: ServiceName, _ app: ProjectConfiguration.App) -> ServiceSpec {
    let host = configuration.expose ? "0.0.0.0" : "127.0.0.1"
    let synapse = AbsolutePath.resolve(configuration.paths.synapse, relativeTo: project, environment: baseEnvironment)
    let command = workspaces[name]?.startCommand(host: host) ?? app.start
    return ServiceSpec(
      name: name, executable: "/bin/sh", arguments: ["-c", "exec " + command], environment: appEnvironment(name),
      workingDirectory: workspaces[name]?.folder ?? AbsolutePath.resolve(app.dir, relativeTo: synapse, environment: baseEnvironment),
      port: app.port, health: .http(url: app.health), readinessSeconds: app.mode == .dev ? 600 : 180)
  }

  /// An app's whole environment, for its steps and itself: `.env`, its PORT and HOST, the Node
  /// that runs it first on PATH, and where the other app is (the frontend gets the backend's URL
  /// under `api_url_variable`, the backend the frontend's origin under `cors_variable`).
  public func appEnvironment(_ name: ServiceName) -> [String: String] {
    let c = configuration
    let app = name == .frontend ? c.frontend : c.backend
    var environment = baseEnvironment.merging(env) { $1 }
    environment["PORT"] = String(app.port)
    environment["HOST"] = c.expose ? "0.0.0.0" : "127.0.0.1"
    if let nodeFolder { environment["PATH"] = nodeFolder + ":" + (environment["PATH"] ?? "/usr/bin:/bin") }
    if app.mode == .production { environment["NODE_ENV"] = "production" }
    if name == .frontend && c.backend.enabled { environment[app.variable] = "http://127.0.0.1:\(c.backend.port)" }
    if name == .backend && c.frontend.enabled { environment[app.variable] = "http://127.0.0.1:\(c.frontend.port)" }
    return environment
  }

  /// The generated `.env` read back (our own format: plain or single-quoted values).
  public static func readEnv(_ path: String) -> [String: String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
    return Dictionary(envPairs(text)) { $1 }
  }

  /// `.env` text as key/value pairs, in the file's order (our own format: plain or single-quoted).
  public static func envPairs(_ text: String) -> [(String, String)] {
    text.split(separator: "\n").compactMap { line in
      guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { return nil }
      var value = String(line[line.index(after: equals)...])
      if value.count >= 2 && value.hasPrefix("'") && value.hasSuffix("'") { value = String(value.dropFirst().dropLast()) }
      return (String(line[..<equals]), value)
    }
  }
}
