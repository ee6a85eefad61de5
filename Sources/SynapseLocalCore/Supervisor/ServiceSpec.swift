import Foundation
import SynapseLocalSystem

/// One service as the supervisor runs it: the command, its environment, its port and health.
public struct ServiceSpec: Sendable, Equatable {
  public var name: ServiceName
  public var executable: String
  public var arguments: [String]
  /// The whole environment of the process.
  public var environment: [String: String]
  public var workingDirectory: String?
  public var port: Int
  public var health: HealthCheck
  /// How long it may take to become healthy (a model load, initdb).
  public var readinessSeconds: Double
  public var stopSignal: Int32
  /// The model it serves (llm, embedding): the name clients send, and the file or folder loaded.
  public var model: String?
  /// Where `executable` came from (a variable, a `binaries` key, a runtime, PATH), for `status`.
  public var programSource: String?
  public var modelPath: String?
  /// The engine serving the model (`llama.cpp`, `vllm`, `sentence-transformers`): OpenTelemetry's
  /// `gen_ai.provider.name` on the endpoint's metrics.
  public var provider: String?
  public var restart: RestartPolicy = .onFailure
  /// For llm and embedding: the engine listens here, and the supervisor's stable endpoint on
  /// `port` relays to it (holding requests while the engine restarts).
  public var enginePort: Int?
  /// How long the stable endpoint holds a request while no engine is ready.
  public var holdLimit: Duration = .seconds(60)
  /// For llm and embedding: unload the engine after this long with no request at the stable
  /// endpoint (nil: never); the next request starts it again (`idle_unload_seconds`).
  public var idleAfter: Duration?
  /// Load at `up` even when `idleAfter` is set (`preload`, `up --preload`).
  public var preload = false

  public init(
    name: ServiceName, executable: String, arguments: [String], environment: [String: String], workingDirectory: String? = nil,
    port: Int, health: HealthCheck, readinessSeconds: Double = 120, stopSignal: Int32 = SIGTERM, model: String? = nil
  ) {
    self.name = name
    self.executable = executable
    self.arguments = arguments
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.port = port
    self.health = health
    self.readinessSeconds = readinessSeconds
    self.stopSignal = stopSignal
    self.model = model
  }

  /// The command line, as a person would type it (for status and errors).
  public var commandLine: String { ([executable] + arguments).joined(separator: " ") }
}
