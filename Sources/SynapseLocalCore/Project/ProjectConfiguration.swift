/// The project's plan, `synapse-local.yaml`: what `generate` renders and `up` runs. Every key is
/// documented in docs/configuration.md; `ProjectSchema` reads and checks it.
public struct ProjectConfiguration: Sendable, Equatable {
  public struct LLM: Sendable, Equatable {
    /// A REF (catalog id, ORG/REPO[/PATH][@REV] or a local path).
    public var model = "llama-3.2-3b-q4"
    /// The name the engine serves the model under: `LOCAL_LLM_MODEL`.
    public var name = "Llama-3.2-3B-Instruct"
    public var port = 8080
    public var context = 4096
    public var threads = 4
    public var gpuLayers = 0
    public var timeoutMs = 30_000
    /// vLLM only.
    public var gpuMemoryUtilization = 0.90
    public var tensorParallelSize = 1
    public var restart = RestartPolicy.onFailure
  }

  public struct Embedding: Sendable, Equatable {
    public var model = "all-minilm-l6-v2"
    public var name = "all-MiniLM-L6-v2"
    public var dimensions = 384
    public var port = 8081
    public var batchSize = 10
    /// How long the stable endpoint holds a request while no embedding server is ready (the
    /// guide's embedding client sets no timeout of its own).
    public var holdSeconds = 60
    public var restart = RestartPolicy.onFailure
  }

  public struct Database: Sendable, Equatable {
    public var port = 5432
    public var name = "synapse"
    public var user = "synapse"
    public var restart = RestartPolicy.onFailure
  }

  /// The backend or the frontend: a command run in a folder, listening on a port.
  public struct App: Sendable, Equatable {
    public var enabled = true
    public var command: String
    /// Relative to `paths.synapse`, or absolute.
    public var dir: String
    public var port: Int
    public var health: String
    public var restart = RestartPolicy.onFailure

    public init(enabled: Bool = true, command: String, dir: String, port: Int, health: String) {
      self.enabled = enabled
      self.command = command
      self.dir = dir
      self.port = port
      self.health = health
    }
  }

  public struct Paths: Sendable, Equatable {
    /// The model store; empty means the Hugging Face default (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub).
    public var store = ""
    /// Database files, logs, secrets, pid files; relative to the project folder.
    public var state = ".synapse-local"
    /// The Synapse checkout; relative to the project folder.
    public var synapse = "."
  }

  public struct Binaries: Sendable, Equatable {
    public var llamaServer = "llama-server"
    public var vllm = "vllm"
    public var python = "python3"
    /// The folder with `postgres`, `initdb` and `pg_isready`.
    public var pgBin = "/usr/lib/postgresql/16/bin"
  }

  public var version = 1
  public var profile = ""
  public var engine: Engine = .llamaCpp
  public var prefer: Preference = .balanced
  /// Plan for the machine this `detect --json` file describes instead of this one.
  public var hardware = ""
  /// Make the backend and the frontend reachable from other hosts.
  public var expose = false
  /// Make the model endpoints reachable from other hosts, with a key (loopback needs none).
  public var exposeModels = false
  public var llm = LLM()
  public var embedding = Embedding()
  public var db = Database()
  public var backend = App(command: "pnpm run dev", dir: "src/api", port: 3000, health: "http://127.0.0.1:3000/health")
  public var frontend = App(command: "pnpm run dev", dir: "src/web", port: 5173, health: "http://127.0.0.1:5173/")
  public var paths = Paths()
  public var binaries = Binaries()

  public init() {}

  public static let fileName = "synapse-local.yaml"

  /// Environment variables that override `binaries.*` (they win over the file).
  public static let binaryVariables: [(key: String, variable: String)] = [
    ("binaries.llama_server", "SYNAPSE_LOCAL_LLAMA_SERVER"),
    ("binaries.vllm", "SYNAPSE_LOCAL_VLLM"),
    ("binaries.python", "SYNAPSE_LOCAL_PYTHON"),
    ("binaries.pg_bin", "SYNAPSE_LOCAL_PG_BIN"),
  ]
}
