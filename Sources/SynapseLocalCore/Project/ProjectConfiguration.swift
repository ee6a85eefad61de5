/// The project's plan, `synapse-local.yaml`: what `generate` renders and `up` runs. Every key is
/// documented in docs/configuration.md; `ProjectSchema` reads and checks it.
public struct ProjectConfiguration: Sendable, Equatable {
  public struct LLM: Sendable, Equatable {
    /// A REF (catalog id, ORG/REPO[/PATH][@REV] or a local path).
    public var model = ModelReference.catalog("llama-3.2-3b-q4")
    /// The name the engine serves the model under: `LOCAL_LLM_MODEL`.
    public var servedName = "Llama-3.2-3B-Instruct"
    public var port = 8080
    public var context = 4096
    public var threads = 4
    /// llama.cpp's threads for prompt processing (`-tb`); 0: as `threads`.
    public var threadsBatch = 0
    /// llama.cpp's logical and physical batch sizes (`-b`, `-ub`); its defaults are 2048 and 512.
    public var batchSize = 2048
    public var ubatchSize = 512
    public var flashAttention = FlashAttention.auto
    /// llama-server's `--chat-template`: one of its built-in names (`gemma`, `chatml`, …) for a
    /// GGUF without `tokenizer.chat_template`; empty: the file's own.
    public var chatTemplate = ""
    /// llama.cpp's `--mlock`: keep the weights in RAM, never paged out.
    public var mlock = false
    public var gpuLayers = 0
    public var timeoutMs = 30_000
    /// vLLM only.
    public var gpuMemoryUtilization = 0.90
    public var tensorParallelSize = 1
    /// vLLM only: pipeline stages, one per node when a model needs more GPUs than a node has
    /// (`export kubernetes` then writes a LeaderWorkerSet with this many pods).
    public var pipelineParallelSize = 1
    public var restart = RestartPolicy.onFailure
    /// Stop the engine after this many seconds without a request, and start it again when one
    /// comes (held meanwhile); 0: never.
    public var idleUnloadSeconds = 0
    /// Load the model when the stack starts even when idle unloading is on (`up --preload`).
    public var preload = false
    /// The watchdog: below this share of the expected generation speed for three windows in a
    /// row, the engine reads `degraded`; 0 turns the watchdog off.
    public var slowRatio = 0.4
    /// Restart a degraded engine once (a GPU that fell off often comes back on a restart).
    public var restartWhenDegraded = false
  }

  public struct Embedding: Sendable, Equatable {
    public var model = ModelReference.catalog("all-minilm-l6-v2")
    /// A project file without the key keeps the guide's sentence-transformers server; `init`
    /// writes llama.cpp for a model that converts (``CatalogModel/convertsToGGUF``).
    public var engine = EmbeddingEngine.sentenceTransformers
    public var servedName = "all-MiniLM-L6-v2"
    public var dimensions = 384
    public var port = 8081
    public var batchSize = 10
    /// How long the stable endpoint holds a request while no embedding server is ready (the
    /// guide's embedding client sets no timeout of its own).
    public var holdSeconds = 60
    public var restart = RestartPolicy.onFailure
    /// As `llm.idleUnloadSeconds` and `llm.preload`, for the embedding engine.
    public var idleUnloadSeconds = 0
    public var preload = false
  }

  public struct Database: Sendable, Equatable {
    public var port = 5432
    public var name = "synapse"
    public var user = "synapse"
    public var restart = RestartPolicy.onFailure
  }

  /// The backend or the frontend: a Node package in the Synapse checkout, installed, built and
  /// started by its package manager (docs/synapse-app.md).
  public struct App: Sendable, Equatable {
    public var enabled = true
    /// Relative to `paths.synapse`, or absolute.
    public var dir: String
    public var packageManager = PackageManager.pnpm
    /// Run in the lockfile's folder when the lockfile or a package.json changed; empty: never.
    public var install: String
    /// Run before `start` in production mode; empty: nothing to build.
    public var build: String
    /// The command `up` runs and supervises.
    public var start: String
    /// Run once the database is ready, before the backend starts; empty: none.
    public var migrate = ""
    public var mode = AppMode.dev
    public var port: Int
    public var health: String
    /// The Node versions the app needs (engines.node, .nvmrc); the guide asks for 20+.
    public var node = ">=20"
    /// The frontend's variable for the backend's URL; the backend's for the frontend's origin.
    public var variable: String
    public var restart = RestartPolicy.onFailure

    public init(dir: String, start: String, port: Int, health: String, variable: String, enabled: Bool = true) {
      self.enabled = enabled
      self.dir = dir
      self.install = PackageManager.pnpm.frozenInstall()
      self.build = PackageManager.pnpm.run("build")
      self.start = start
      self.port = port
      self.health = health
      self.variable = variable
    }
  }

  /// The supervisor's status port: the status page (`/`), Prometheus metrics (`/metrics`) and
  /// `status --json` (`/api/status`), on 127.0.0.1 (every interface, with the key, under
  /// `expose_models`). 8790 is claimed by no common tool: 9090 is Prometheus's own port, and
  /// 9091 to 9999 are its exporters' (DECISIONS.md).
  public struct Status: Sendable, Equatable {
    public static let defaultPort = 8790
    public var port = Status.defaultPort
  }

  /// What each client of the stable endpoints and the status port may take (`EndpointLimits`).
  public struct Endpoint: Sendable, Equatable {
    public var headSeconds = 10
    public var idleSeconds = 60
    public var maxHeadBytes = 64 << 10
    public var maxBodyBytes = 64 << 20

    public var limits: EndpointLimits {
      EndpointLimits(headSeconds: headSeconds, idleSeconds: idleSeconds, maxHeadBytes: maxHeadBytes, maxBodyBytes: maxBodyBytes)
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
    /// The Node the apps run with (its folder leads their PATH, so npm and pnpm use it too).
    public var node = "node"
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
  /// The guide's Step 4 layout and commands, until `init` finds the apps in the checkout.
  public var backend = App(
    dir: "src/api", start: "pnpm run dev", port: 3000, health: "http://127.0.0.1:3000/health", variable: "CORS_ORIGIN")
  public var frontend = App(
    dir: "src/web", start: "pnpm run dev", port: 5173, health: "http://127.0.0.1:5173/", variable: "VITE_API_URL")
  public var status = Status()
  public var endpoint = Endpoint()
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
    ("binaries.node", "SYNAPSE_LOCAL_NODE"),
  ]
}
