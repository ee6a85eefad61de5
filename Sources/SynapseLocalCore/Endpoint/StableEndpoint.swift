import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The address the backend is configured with (`LOCAL_LLM_ENDPOINT`, `LOCAL_EMBEDDING_ENDPOINT`),
/// served by the supervisor and relayed to the engine on its internal port. Requests and answers
/// pass through byte for byte (Server-Sent Events as they come). While no engine is ready (a
/// restart after a crash) requests are held, up to a limit, instead of failing; a request whose
/// engine died before answering a single byte is sent again (chat and embedding requests have no
/// side effects). A stream already under way cannot be saved: it ends with an error event.
public final class StableEndpoint: @unchecked Sendable {
  public struct Counters: Sendable, Equatable, Codable {
    public var requests = 0
    public var held = 0
    public var replayed = 0
    public var unavailable = 0
    /// Refused for want of the key (`--expose-models`).
    public var refused = 0
    public var longestWaitMilliseconds = 0

    enum CodingKeys: String, CodingKey {
      case requests, held, replayed, unavailable, refused
      case longestWaitMilliseconds = "longest_wait_ms"
    }
  }

  /// Where requests go right now.
  public struct Route: Sendable, Equatable {
    /// The engine's internal port.
    public var port: Int
    /// The name the engine serves, and names clients may still send from before a swap (a
    /// backend started earlier keeps its `model`): requests naming one of those are renamed.
    public var model: String?
    public var formerModels: Set<String>

    public init(port: Int, model: String? = nil, formerModels: Set<String> = []) {
      self.port = port
      self.model = model
      self.formerModels = formerModels
    }
  }

  public let port: Int
  let listener: Int32
  let holdLimit: Duration
  /// The engine while it can take requests; nil while none can (hold).
  let route: @Sendable () -> Route?
  /// With `--expose-models`: the key clients not on loopback must send.
  let remoteKey: String?
  private let lock = NSLock()
  private var counters = Counters()
  private var closed = false
  /// Exchanges under way, and those sent to each engine port (a swap stops an engine only once
  /// the exchanges sent to it are over; requests held meanwhile are not among them).
  private var active = 0
  private var activeByEngine: [Int: Int] = [:]
  private var waiting = 0
  private var remoteConnections = 0
  static let remoteConnectionLimit = 256
  private var windowLongestWait = 0

  public var inFlight: Int { lock.withLock { active } }

  public func inFlight(toEngine port: Int) -> Int { lock.withLock { activeByEngine[port] ?? 0 } }

  /// Relays to one engine port (nil: hold).
  public convenience init(host: String = "127.0.0.1", port: Int, holdLimit: Duration, upstream: @escaping @Sendable () -> Int?) throws {
    try self.init(host: host, port: port, holdLimit: holdLimit, remoteKey: nil) { upstream().map { Route(port: $0) } }
  }

  /// `host` 0.0.0.0 with a `remoteKey`: reachable from other hosts, which must send
  /// `Authorization: Bearer <key>`; loopback clients need none.
  public init(host: String = "127.0.0.1", port: Int, holdLimit: Duration, remoteKey: String?, route: @escaping @Sendable () -> Route?)
    throws
  {
    self.port = port
    self.holdLimit = holdLimit
    self.route = route
    self.remoteKey = remoteKey
    listener = try SocketIO.listen(host: host, port: port)
    let thread = Thread { [self] in acceptLoop() }
    thread.name = "synapse-local endpoint \(port)"
    thread.start()
  }

  public var statistics: Counters { lock.withLock { counters } }

  public func close() {
    let first = lock.withLock {
      defer { closed = true }
      return !closed
    }
    guard first else { return }
    shutdown(listener, Int32(SHUT_RDWR))
    Glibc.close(listener)
  }

  func acceptLoop() {
    while !lock.withLock({ closed }) {
      var peer = sockaddr_in()
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      let client = withUnsafeMutablePointer(to: &peer) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
      }
      if client < 0 {
        if errno == EINTR || errno == ECONNABORTED { continue }
        // Out of descriptors or memory for a moment: the endpoint must outlive it.
        if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM {
          Thread.sleep(forTimeInterval: 0.1)
          continue
        }
        return
      }
      var one: Int32 = 1
      setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
      // 127.0.0.0/8: the backend and anything else on this machine.
      let loopback = UInt32(bigEndian: peer.sin_addr.s_addr) >> 24 == 127
      // Other hosts get a bounded share of threads, so they cannot starve the backend's requests.
      if !loopback {
        let admitted = lock.withLock {
          guard remoteConnections < Self.remoteConnectionLimit else { return false }
          remoteConnections += 1
          return true
        }
        guard admitted else {
          _ = SocketIO.writeAll(client, Self.errorResponse(503, "too many connections from other hosts; try again shortly")[...])
          Glibc.close(client)
          continue
        }
      }
      let thread = Thread { [self] in
        serve(client, loopback: loopback)
        Glibc.close(client)
        if !loopback { lock.withLock { remoteConnections -= 1 } }
      }
      thread.start()
    }
  }

  // MARK: one exchange

  func serve(_ client: Int32, loopback: Bool) {
    // Another host gets little time to send its head, and no body is read before its key is checked.
    let guarded = !loopback && remoteKey != nil
    SocketIO.setTimeout(client, seconds: guarded ? 10 : 300)
    var refused = false
    let request = HTTPRequestReader.read(client, headDeadline: guarded ? .now + .seconds(10) : nil) { head in
      guard guarded, let remoteKey else { return true }
      guard Self.authorized(head, key: remoteKey) else {
        refused = true
        return false
      }
      // Known now: its body may take the time any client's may.
      SocketIO.setTimeout(client, seconds: 300)
      return true
    }
    if refused {
      lock.withLock { counters.refused += 1 }
      _ = SocketIO.writeAll(
        client,
        Self.errorResponse(
          401,
          "this endpoint needs its key from other hosts: send Authorization: Bearer <the key in the project's state folder, secrets/models-key>"
        )[...])
      return
    }
    guard let (head, body) = request else {
      _ = SocketIO.writeAll(client, Self.errorResponse(400, "malformed HTTP request")[...])
      return
    }
    lock.withLock {
      counters.requests += 1
      active += 1
    }
    defer { lock.withLock { active -= 1 } }
    let began = ContinuousClock.now
    let deadline = began + holdLimit
    var holding = false
    var replayed = false
    // Counted as held the moment the hold begins (a swap reports it while the request still waits).
    func hold() {
      guard !holding else { return }
      holding = true
      lock.withLock {
        counters.held += 1
        waiting += 1
      }
    }
    defer { if holding { lock.withLock { waiting -= 1 } } }
    /// Waits a moment for an engine, within the limit; false once the limit has passed.
    func waitForEngine() -> Bool {
      guard ContinuousClock.now < deadline else { return false }
      hold()
      Thread.sleep(forTimeInterval: 0.05)
      return true
    }
    while true {
      guard let route = route() else {
        // No engine to take it: hold, within the limit.
        guard waitForEngine() else { return unavailable(client) }
        continue
      }
      // Counted against the engine before the route is read again: a swap that switches routes
      // and then waits for the old engine's count either sees this exchange or it sees the new route.
      lock.withLock { activeByEngine[route.port, default: 0] += 1 }
      defer { lock.withLock { activeByEngine[route.port, default: 1] -= 1 } }
      let current = self.route()
      // The route changed under it (a swap's switch): go straight to the new engine.
      if current != nil && current != route { continue }
      guard current == route, let connection = SocketIO.connect(port: route.port) else {
        guard waitForEngine() else { return unavailable(client) }
        continue
      }
      defer { Glibc.close(connection) }
      // Per attempt: a request held across a swap goes to the new model under its name.
      let sent = route.model.flatMap { ModelField.rename(body, former: route.formerModels, to: $0) } ?? body
      let message = head.forwarded(bodyLength: sent.count) + sent
      guard SocketIO.writeAll(connection, message[...]) else { continue }
      if holding { recordWait(since: began) }
      // The first byte must come within the hold limit: an engine that took the connection but
      // never answers (hung, or a listen backlog nobody serves) ends in a 504 before the client's
      // own timeout, not in a silent wait.
      // (A fresh allowance per attempt: after a hold, a model that just loaded may be slow to
      // start, and it is working.)
      SocketIO.setTimeout(connection, seconds: max(1, Int(holdLimit.components.seconds)))
      switch relay(from: connection, to: client) {
      case .delivered:
        if replayed { lock.withLock { counters.replayed += 1 } }
        return
      case .clientGone, .brokenStream:
        return
      case .silent:
        lock.withLock { counters.unavailable += 1 }
        _ = SocketIO.writeAll(client, Self.errorResponse(504, "the model server took the request but did not answer in time")[...])
        return
      case .noAnswer:
        // The engine died before a byte of the answer: send it again once one is ready.
        replayed = true
        guard waitForEngine() else { return unavailable(client) }
      }
    }
  }

  enum RelayOutcome { case delivered, noAnswer, clientGone, brokenStream, silent }

  /// Copies the engine's answer to the client as it arrives.
  func relay(from engine: Int32, to client: Int32) -> RelayOutcome {
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    var forwarded = 0
    var streaming = false
    while true {
      let n = SocketIO.readSome(engine, &buffer)
      if n < 0 && forwarded == 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return .silent }
      if n > 0 {
        if forwarded == 0 {
          // Answering: from here the answer may take as long as it takes.
          SocketIO.setTimeout(engine, seconds: 0)
          let head = String(decoding: buffer[0..<min(n, 4096)], as: UTF8.self).lowercased()
          // llama-server answers 503 while it loads its model: not ready yet, so wait as for
          // an engine that is away (and never pass the 503 on).
          if head.hasPrefix("http/1.1 503") || head.hasPrefix("http/1.0 503") { return .noAnswer }
          streaming = head.contains("content-type: text/event-stream")
        }
        guard SocketIO.writeAll(client, buffer[0..<n]) else { return .clientGone }
        forwarded += n
        continue
      }
      if n == 0 && forwarded > 0 { return .delivered }
      if forwarded == 0 { return .noAnswer }
      // The engine died mid-answer. An event stream gets a last event saying so.
      if streaming {
        let event =
          #"data: {"error": {"message": "the model server stopped during this answer; send the request again", "type": "server_error", "code": "engine_restarted"}}"#
          + "\n\n"
        _ = SocketIO.writeAll(client, Array(event.utf8)[...])
      }
      return .brokenStream
    }
  }

  func unavailable(_ client: Int32) {
    lock.withLock { counters.unavailable += 1 }
    _ = SocketIO.writeAll(
      client, Self.errorResponse(503, "the model server is not ready (starting or being swapped); try again shortly")[...])
  }

  /// A held request's wait: from its arrival to its sending to an engine.
  func recordWait(since began: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - began
    let milliseconds = elapsed.wholeMilliseconds
    lock.withLock {
      counters.longestWaitMilliseconds = max(counters.longestWaitMilliseconds, milliseconds)
      windowLongestWait = max(windowLongestWait, milliseconds)
    }
  }

  /// Requests being held right now.
  public var holding: Int { lock.withLock { waiting } }

  /// The longest wait since `startWindow()` (a swap's own figure).
  public var windowLongestWaitMilliseconds: Int { lock.withLock { windowLongestWait } }

  public func startWindow() { lock.withLock { windowLongestWait = 0 } }

  /// `Authorization: Bearer <key>`, compared in constant time.
  static func authorized(_ head: HTTPRequestHead, key: String) -> Bool {
    guard let value = head.header("Authorization"), value.lowercased().hasPrefix("bearer ") else { return false }
    let sent = Array(value.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8)
    let expected = Array(key.utf8)
    guard sent.count == expected.count else { return false }
    return zip(sent, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
  }

  static func errorResponse(_ status: Int, _ message: String) -> [UInt8] {
    let reason =
      switch status {
      case 503: "Service Unavailable"
      case 504: "Gateway Timeout"
      case 401: "Unauthorized"
      default: "Bad Request"
      }
    let type = status >= 500 ? "unavailable" : status == 401 ? "authentication_error" : "invalid_request_error"
    let body = #"{"error": {"message": "\#(message)", "type": "\#(type)", "code": \#(status)}}"#
    return Array(
      "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        .utf8)
  }
}
