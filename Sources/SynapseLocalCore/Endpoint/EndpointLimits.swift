/// What every client of an endpoint may take, loopback included: one that leaks connections or
/// trickles bytes is closed at these limits instead of holding the supervisor's memory. Each is a
/// key under `endpoint:` in synapse-local.yaml (docs/configuration.md).
public struct EndpointLimits: Sendable, Equatable {
  /// From a request's first byte to the end of its head (`endpoint.head_seconds`): 408 past it.
  public var headTimeout: Duration = .seconds(10)
  /// A keep-alive connection with no request under way is closed after this
  /// (`endpoint.idle_seconds`); a body that stops arriving for this long gets a 408.
  public var idleTimeout: Duration = .seconds(60)
  /// The request line and headers together (`endpoint.max_head_bytes`): 431 past it.
  public var maxHeadBytes = 64 << 10
  /// A request body (`endpoint.max_body_bytes`): 413 past it. Chat and embedding requests are
  /// JSON; 64 MiB holds a context of a million tokens as text several times over.
  public var maxBodyBytes = 64 << 20

  public init() {}

  public init(headSeconds: Int, idleSeconds: Int, maxHeadBytes: Int, maxBodyBytes: Int) {
    headTimeout = .seconds(headSeconds)
    idleTimeout = .seconds(idleSeconds)
    self.maxHeadBytes = maxHeadBytes
    self.maxBodyBytes = maxBodyBytes
  }
}
