import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The processes `up` runs, built from the plan: command lines checked flag by flag.
@Suite("services from the plan")
struct ServicePlannerTests {
  func planner(_ configure: (inout ProjectConfiguration) -> Void) -> ServicePlanner {
    var c = ProjectConfiguration()
    configure(&c)
    let layout = PostgresLayout(
      dataDirectory: "/p/.synapse-local/db", socketDirectory: "/p/.synapse-local/run-db", user: nil, uid: 1000, gid: 1000, relocation: nil)
    return ServicePlanner(
      configuration: c, project: "/p", llmPath: "/store/models--a--b/snapshots/c/model.gguf",
      embeddingPath: "/store/models--s--m/snapshots/d",
      store: "/store", database: layout, env: ["DATABASE_URL": "postgresql://synapse:pw@127.0.0.1:5432/synapse", "LOCAL_LLM_MODEL": "M"],
      baseEnvironment: ["PATH": "/usr/bin"])
  }

  func spec(_ name: ServiceName, _ planner: ServicePlanner) throws -> ServiceSpec {
    try #require(planner.services().first { $0.name == name })
  }

  @Test func llamaServerGetsThePlansFlagsOnLoopback() throws {
    let llm = try spec(
      .llm,
      planner {
        $0.llm.context = 2048
        $0.llm.threads = 3
        $0.llm.gpuLayers = 7
        $0.llm.servedName = "Tiny"
        $0.llm.port = 9080
      })
    #expect(llm.executable == "llama-server")
    #expect(
      llm.arguments == [
        "-m", "/store/models--a--b/snapshots/c/model.gguf", "--host", "127.0.0.1", "--port", "9080", "-c", "2048", "-t", "3", "-ngl", "7",
        "--alias", "Tiny", "--metrics",
      ])
    #expect(llm.health == .http(url: "http://127.0.0.1:9080/health"))
    #expect(llm.environment["OMP_NUM_THREADS"] == "3" && llm.model == "Tiny")
  }

  @Test func vllmServesTheModelUnderItsName() throws {
    let llm = try spec(
      .llm,
      planner {
        $0.engine = .vllm
        $0.llm.servedName = "Llama-3.1-8B-Instruct"
        $0.llm.context = 8192
        $0.llm.gpuMemoryUtilization = 0.85
        $0.llm.tensorParallelSize = 2
      })
    #expect(llm.executable == "vllm")
    #expect(
      llm.arguments == [
        "serve", "/store/models--a--b/snapshots/c/model.gguf", "--served-model-name", "Llama-3.1-8B-Instruct", "--host", "127.0.0.1",
        "--port", "8080",
        "--max-model-len", "8192", "--gpu-memory-utilization", "0.85", "--tensor-parallel-size", "2",
      ])
    #expect(llm.readinessSeconds >= 600)
  }

  @Test func postgresRunsInTheForegroundOnLoopbackWithItsFastShutdown() throws {
    let db = try spec(.db, planner { $0.db.port = 15432 })
    #expect(db.executable == "/usr/lib/postgresql/16/bin/postgres")
    #expect(
      db.arguments == [
        "-D", "/p/.synapse-local/db", "-p", "15432", "-c", "listen_addresses=127.0.0.1", "-c",
        "unix_socket_directories=/p/.synapse-local/run-db",
      ])
    #expect(db.stopSignal == SIGINT)
    let asNobody = PostgresLayout(dataDirectory: "/d", socketDirectory: "/s", user: "nobody", uid: 65534, gid: 65534, relocation: nil)
    let (executable, arguments) = asNobody.command("/bin/postgres", ["-D", "/d"])
    #expect(
      executable == "/usr/bin/setpriv"
        && arguments == ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "/bin/postgres", "-D", "/d"])
  }

  @Test func theBackendGetsDotEnvItsPortAndWhereToListen() throws {
    let backend = try spec(
      .backend,
      planner {
        $0.backend.port = 4000
        $0.paths.synapse = "../synapse"
      })
    #expect(backend.executable == "/bin/sh" && backend.arguments == ["-c", "exec pnpm run dev"])
    #expect(backend.workingDirectory == "/synapse/src/api")
    #expect(backend.environment["DATABASE_URL"] == "postgresql://synapse:pw@127.0.0.1:5432/synapse")
    #expect(
      backend.environment["PORT"] == "4000" && backend.environment["HOST"] == "127.0.0.1" && backend.environment["PATH"] == "/usr/bin")
    #expect(try spec(.backend, planner { $0.expose = true }).environment["HOST"] == "0.0.0.0")
    #expect(planner { $0.frontend.enabled = false }.services().map(\.name) == [.db, .llm, .embedding, .backend])
  }

  /// Each app knows where the other is, runs with the chosen Node first on PATH, and a Vite dev
  /// server gets its port and host on the command line (it ignores PORT).
  @Test func theAppsAreWiredToEachOther() throws {
    var planner = planner {
      $0.backend.port = 4000
      $0.backend.mode = .production
      $0.frontend.port = 5174
      $0.frontend.variable = "VITE_BACKEND_URL"
      $0.paths.synapse = "/checkout"
    }
    let files = MemoryFileSystem(
      roots: ["/checkout"],
      files: [
        "/checkout/src/web/package.json": #"{"scripts": {"dev": "vite"}, "devDependencies": {"vite": "^5"}}"#,
        "/checkout/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
      ])
    planner.workspaces[.frontend] = AppWorkspace(
      service: .frontend, configuration: planner.configuration, project: "/p", environment: [:], files: files)
    planner.nodeFolder = "/opt/node-20/bin"
    let frontend = try spec(.frontend, planner)
    #expect(frontend.arguments == ["-c", "exec pnpm run dev --port 5174 --host 127.0.0.1 --strictPort"])
    #expect(frontend.workingDirectory == "/checkout/src/web" && frontend.readinessSeconds == 600)
    #expect(
      frontend.environment["VITE_BACKEND_URL"] == "http://127.0.0.1:4000" && frontend.environment["PATH"] == "/opt/node-20/bin:/usr/bin")
    #expect(
      planner.workspaces[.frontend]?.lockfile == "/checkout/pnpm-lock.yaml" && planner.workspaces[.frontend]?.installFolder == "/checkout")
    let backend = try spec(.backend, planner)
    #expect(backend.environment["CORS_ORIGIN"] == "http://127.0.0.1:5174" && backend.environment["NODE_ENV"] == "production")
    #expect(backend.readinessSeconds == 180)
    // npm needs `--` before the script's own arguments; a start command of one's own is left alone.
    planner.configuration.frontend.packageManager = .npm
    planner.configuration.frontend.start = "npm run dev"
    planner.workspaces[.frontend]?.app = planner.configuration.frontend
    #expect(try spec(.frontend, planner).arguments == ["-c", "exec npm run dev -- --port 5174 --host 127.0.0.1 --strictPort"])
    planner.workspaces[.frontend]?.app.start = "npx vite --strictPort"
    #expect(try spec(.frontend, planner).arguments == ["-c", "exec npx vite --strictPort"])
    // A dev script that names its own port, or wraps Vite in another program, gets nothing added.
    planner.workspaces[.frontend]?.app.start = "npm run dev"
    for script in ["vite --port 3001", "concurrently \"vite\" \"tsc -w\""] {
      planner.workspaces[.frontend]?.manifest?.scripts["dev"] = script
      #expect(try spec(.frontend, planner).arguments == ["-c", "exec npm run dev"])
    }
  }

  @Test func theEmbeddingServerIsTheGeneratedOne() throws {
    let embedding = try spec(
      .embedding,
      planner {
        $0.embedding.dimensions = 768
        $0.embedding.port = 9081
      })
    #expect(embedding.arguments == ["/p/services/embedding/embedding_server.py"])
    #expect(embedding.environment["EMBEDDING_MODEL"] == "/store/models--s--m/snapshots/d")
    #expect(embedding.environment["EMBEDDING_HOST"] == "127.0.0.1" && embedding.environment["HF_HUB_OFFLINE"] == "1")
    #expect(embedding.health == .embedding(base: "http://127.0.0.1:9081", dimensions: 768))
  }

  @Test func backoffGrowsAndIsCapped() {
    let pauses = (1...8).map { Supervisor.backoff(failures: $0, base: .seconds(1), cap: .seconds(30)) }
    #expect(pauses == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30), .seconds(30)])
  }

  @Test func levelsStartTogetherWhereDependenciesAllow() throws {
    let levels = Supervisor.levels(planner { _ in }.services()).map { $0.map(\.name) }
    #expect(levels == [[.db], [.llm, .embedding], [.backend], [.frontend]])
  }
}
