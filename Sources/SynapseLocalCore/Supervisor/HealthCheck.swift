import Foundation
import SynapseLocalSystem

/// How the supervisor knows a service is ready, and still alive.
public enum HealthCheck: Sendable, Equatable {
  /// 200 from the URL (llama-server and vLLM answer 503 while loading).
  case http(url: String)
  /// `/health`, then one real embedding of the expected size.
  case embedding(base: String, dimensions: Int)
  /// A real connection and a query.
  case postgres(psql: String, socketDirectory: String, port: Int, user: String, password: String)
}
