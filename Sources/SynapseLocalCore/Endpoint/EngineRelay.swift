import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import SynapseLocalSystem

/// One client connection's side of the stable endpoint: sends each request to the engine the
/// route names, over a keep-alive connection of its own, and copies the answer back as it comes,
/// reading from the engine only as fast as the client takes it. While no engine is ready the
/// request is held (a timer on the event loop, no thread); an engine that goes away before a
/// byte of its answer gets the request again once one is ready. All on the client's event loop.
final class EngineRelay: EndpointResponder {
  static let holdPoll = TimeAmount.milliseconds(25)
  static let lostStreamEvent =
    #"data: {"error": {"message": "the model server stopped during this answer; send the request again", "type": "server_error", "code": "engine_restarted"}}"#
    + "\n\n"

  let box: WeakEndpoint
  /// A connection from another host, counted against the share they may hold.
  let countsConnection: Bool
  private weak var client: ClientConnectionHandler?
  private var exchange: Exchange?
  private var engine: (any Channel)?
  private var engineWire: EngineWire?
  private var enginePort: Int?
  private var generation = 0
  private var enginePaused = false
  /// One timer for every exchange's first-byte limit: it fires at most once per limit, not once
  /// per request (a request answered in time leaves it to set itself again for the next).
  private var watch: Scheduled<Void>?
  private var watchFires: NIODeadline?
  /// While reading from the engine is paused for a slow client: the limit on that client.
  private var stall: Scheduled<Void>?

  init(endpoint box: WeakEndpoint, countsConnection: Bool) {
    self.box = box
    self.countsConnection = countsConnection
  }

  // MARK: the client's side

  func respond(to request: BufferedRequest, on client: ClientConnectionHandler) {
    self.client = client
    guard let endpoint = box.endpoint else { return client.answer(.unavailable("the endpoint is stopping")) }
    endpoint.began()
    exchange = Exchange(request: request, endpoint: endpoint)
    attempt()
  }

  func clientBecameWritable() {
    guard enginePaused, let engine else { return }
    enginePaused = false
    stall?.cancel()
    try? engine.syncOptions?.setOption(.autoRead, value: true)
    engine.read()
  }

  func refused(_ status: HTTPResponseStatus) {
    box.endpoint?.metrics.answered(status.code)
  }

  func clientClosed() {
    if let exchange {
      // 499: the client went away before its answer was complete (nginx's code for it).
      finish(exchange, code: 499)
    }
    closeEngine()
    watch?.cancel()
    if countsConnection { box.endpoint?.remoteConnectionClosed() }
  }

  // MARK: sending

  /// Sends the exchange to the engine its route names now, or holds it while there is none.
  private func attempt() {
    guard let x = exchange, let client, client.isOpen else { return }
    guard let route = x.endpoint.route() else { return waitForEngine(x) }
    // Counted against the engine before the route is read again: a swap that switches routes and
    // then waits for the old engine's count either sees this exchange or it sees the new route.
    x.endpoint.sending(toEngine: route.port, 1)
    x.countedPort = route.port
    let current = x.endpoint.route()
    guard current == route else {
      uncount(x)
      // The route changed under it (a swap's switch): straight to the new engine.
      guard current != nil, let loop = client.eventLoop else { return waitForEngine(x) }
      loop.assumeIsolated().execute { self.attempt() }
      return
    }
    if let engine, enginePort == route.port, engine.isActive {
      x.reused = true
      send(x, route: route, on: engine)
      return
    }
    closeEngine()
    x.reused = false
    guard let loop = client.eventLoop else { return }
    generation += 1
    let connection = generation
    ClientBootstrap(group: loop)
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .connectTimeout(.seconds(2))
      .channelInitializer { channel in
        // The relay writes each request whole through the wire, and tells the decoder of it (its
        // method says whether the answer has a body).
        channel.eventLoop.makeCompletedFuture {
          let (wire, decoder) = EngineWire.handlers()
          try channel.pipeline.syncOperations.addHandlers(wire, decoder)
        }
      }
      .connect(host: "127.0.0.1", port: route.port)
      .assumeIsolated()
      .whenComplete { result in
        guard connection == self.generation, self.exchange === x else {
          if case .success(let channel) = result { channel.close(promise: nil) }
          return
        }
        switch result {
        case .success(let channel):
          let wire: EngineWire
          do {
            try channel.pipeline.syncOperations.addHandler(UpstreamHandler(relay: self, generation: connection))
            wire = try channel.pipeline.syncOperations.handler(type: EngineWire.self)
          } catch {
            channel.close(promise: nil)
            self.uncount(x)
            return self.waitForEngine(x)
          }
          self.engine = channel
          self.engineWire = wire
          self.enginePort = route.port
          self.send(x, route: route, on: channel)
        case .failure:
          // Nothing listens there (yet): the engine is away.
          self.uncount(x)
          self.waitForEngine(x)
        }
      }
  }

  private func send(_ x: Exchange, route: StableEndpoint.Route, on engine: any Channel) {
    x.model = route.model
    var body = x.request.body
    // Per attempt: a request held across a swap goes to the new model under its name.
    if let model = route.model, !route.formerModels.isEmpty,
      let renamed = ModelField.rename(Array(body.readableBytesView), former: route.formerModels, to: model)
    {
      body = engine.allocator.buffer(bytes: renamed)
    }
    if let since = x.holdingSince {
      x.holdingSince = nil
      x.endpoint.holdEnded(waited: .now() - since, sent: true)
    }
    // (A write that fails closes the connection: `engineClosed` hears of it.)
    engineWire?.send(Self.forwarded(x.request.head, bodyLength: body.readableBytes), body: body)
    // The first byte must come within the hold limit: an engine that took the connection but
    // never answers (hung, or a listen backlog nobody serves) ends in a 504 before the client's
    // own timeout, not in a silent wait. (A fresh allowance per attempt: a model that just
    // loaded may be slow to start, and it is working.)
    let due = NIODeadline.now() + max(TimeAmount.seconds(1), TimeAmount(x.endpoint.holdLimit))
    x.firstByteDue = due
    if let fires = watchFires, fires <= due { return }
    watch?.cancel()
    setWatch(at: due, on: engine.eventLoop)
  }

  private func setWatch(at due: NIODeadline, on loop: any EventLoop) {
    watchFires = due
    watch = loop.assumeIsolated().scheduleTask(deadline: due) {
      self.watchFires = nil
      self.watch = nil
      guard let x = self.exchange, let due = x.firstByteDue, !x.answering else { return }
      if NIODeadline.now() < due { return self.setWatch(at: due, on: loop) }
      x.firstByteDue = nil
      self.closeEngine()
      self.uncount(x)
      self.giveUp(x, EndpointErrorBody(status: .gatewayTimeout, message: "the model server took the request but did not answer in time"))
    }
  }

  /// The client's head as the engine gets it: hop-by-hop headers dropped (this hop keeps its own
  /// connection alive), the body's length as it is now.
  static func forwarded(_ head: HTTPRequestHead, bodyLength: Int) -> HTTPRequestHead {
    var headers = head.headers.removing([
      "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "expect", "trailer", "content-length",
    ])
    if bodyLength > 0 || head.method != .GET && head.method != .HEAD { headers.add(name: "Content-Length", value: String(bodyLength)) }
    return HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: headers)
  }

  // MARK: holding

  /// Waits a moment for an engine, within the hold limit; a 503 once the limit has passed.
  private func waitForEngine(_ x: Exchange) {
    guard exchange === x, let loop = client?.eventLoop else { return }
    let now = NIODeadline.now()
    guard now < x.deadline else {
      return giveUp(x, .unavailable("the model server is not ready (starting or being swapped); try again shortly"))
    }
    if x.holdingSince == nil {
      x.holdingSince = now
      x.endpoint.holdBegan()
    }
    tellProgress(x)
    // (A wait that cannot succeed has just ended it.)
    guard exchange === x else { return }
    x.timer?.cancel()
    x.timer = loop.assumeIsolated().scheduleTask(in: Self.holdPoll) { self.attempt() }
  }

  private func giveUp(_ x: Exchange, _ error: EndpointErrorBody) {
    finish(x, code: error.status.code)
    guard x.earlyHead else {
      client?.answer(error)
      return
    }
    // The 200 has gone: the stream ends with an error event, as OpenAI's streams do.
    client?.sendBody(ByteBuffer(string: LoadProgress.errorEvent(error)))
    client?.finish()
  }

  /// A streamed request held while no engine is ready (a load, a wake, a hold swap) gets its
  /// head at once, then a comment about once a second saying what it waits for; a wait that
  /// cannot end in an answer ends the stream with an error event.
  private func tellProgress(_ x: Exchange) {
    guard x.progressTimer == nil, let client, let loop = client.eventLoop else { return }
    if !x.earlyHead {
      if x.streamed == nil { x.streamed = LoadProgress.isStreamed(Array(x.request.body.readableBytesView)) }
      // A moment's hold with an engine ready (a reconnect) needs no word.
      guard x.streamed == true, x.endpoint.route() == nil else { return }
      x.earlyHead = true
      client.sendHead(
        HTTPResponseHead(
          version: .http1_1, status: .ok, headers: HTTPHeaders([("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])))
    }
    let state = x.endpoint.progress.current
    if case .failed(let message) = state {
      return giveUp(x, .unavailable(message))
    }
    client.sendBody(ByteBuffer(string: LoadProgress.comment(state)))
    x.progressTimer = loop.assumeIsolated().scheduleTask(in: .seconds(1)) {
      x.progressTimer = nil
      guard self.exchange === x, !x.answering else { return }
      self.tellProgress(x)
    }
  }

  // MARK: the engine's side

  func engineSent(_ part: HTTPClientResponsePart, generation connection: Int) {
    guard connection == generation, let x = exchange, let client else { return }
    switch part {
    case .head(let head):
      x.firstByteDue = nil
      // llama-server answers 503 while it loads its model: not ready yet, so wait as for an
      // engine that is away (and never pass the 503 on).
      if head.status == .serviceUnavailable {
        closeEngine()
        uncount(x)
        x.replayed = true
        return waitForEngine(x)
      }
      x.answering = true
      x.code = head.status.code
      x.engineKeepsAlive = head.isKeepAlive
      x.streaming = head.headers.value(of: "content-type", containsLowercased: "text/event-stream")
      x.endpoint.metrics.firstByte.recordNanoseconds((NIODeadline.now() - x.request.arrived).nanoseconds)
      x.progressTimer?.cancel()
      x.progressTimer = nil
      guard x.earlyHead else {
        return client.sendHead(HTTPResponseHead(version: .http1_1, status: head.status, headers: head.headers))
      }
      // Our head went first: the engine's stream follows it; anything else (an error) becomes one event.
      if !x.streaming { x.collected = client.allocator.buffer(capacity: 0) }
    case .body(var bytes):
      guard x.answering else { return }
      if x.operation != nil { x.tail.append(bytes) }
      if let port = x.countedPort { x.endpoint.relayed(bytes.readableBytes, fromEngine: port) }
      if x.collected != nil {
        x.collected!.writeBuffer(&bytes)
        return
      }
      // An event stream goes out event by event; anything else at the end of each read.
      client.sendBody(bytes, flush: x.streaming)
      if !client.isWritable, let engine, !enginePaused {
        // The client reads slower than the engine writes: stop reading until it catches up (what
        // is written so far goes out first), and give up on a client that stops reading for the
        // idle limit: it must not hold an engine slot for ever.
        // (Paused before the flush: a flush that empties the buffer reports writability at once,
        // and that must find the engine paused to resume it.)
        enginePaused = true
        try? engine.syncOptions?.setOption(.autoRead, value: false)
        stall?.cancel()
        stall = engine.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(client.limits.idleTimeout)) {
          guard self.enginePaused, self.exchange === x else { return }
          self.closeEngine()
          self.finish(x, code: 499)
          client.abort()
        }
        client.flush()
      }
    case .end:
      guard x.answering else { return }
      // Accounted before the client's next (pipelined) request may start.
      if !x.engineKeepsAlive { closeEngine() }
      finish(x, code: x.code)
      if let collected = x.collected {
        client.sendBody(ByteBuffer(string: LoadProgress.event(String(buffer: collected), succeeded: x.code < 300)))
      }
      client.finish()
    }
  }

  /// The end of one read from the engine: what it gave goes to the client now.
  func engineReadComplete(generation connection: Int) {
    guard connection == generation, exchange?.answering == true else { return }
    client?.flush()
  }

  func engineClosed(generation connection: Int) {
    guard connection == generation else { return }
    // Once per connection (a failed write and the close both report it).
    generation += 1
    engine = nil
    engineWire = nil
    enginePort = nil
    enginePaused = false
    stall?.cancel()
    // Only an exchange sent on this connection lost its engine (one held meanwhile did not).
    guard let x = exchange, x.countedPort != nil || x.answering else { return }
    x.firstByteDue = nil
    guard x.answering else {
      uncount(x)
      // A kept-alive connection the engine had closed meanwhile: once more on a new one.
      if x.reused && !x.retriedFresh {
        x.retriedFresh = true
        return attempt()
      }
      // The engine died before a byte of the answer: send it again once one is ready.
      x.replayed = true
      return waitForEngine(x)
    }
    // Mid-answer: an event stream gets a last event saying so; anything else is cut off.
    finish(x, code: x.code)
    if x.streaming || x.earlyHead, let client {
      client.sendBody(ByteBuffer(string: Self.lostStreamEvent))
      client.finish(close: true)
    } else {
      client?.abort()
    }
  }

  // MARK: bookkeeping

  private func finish(_ x: Exchange, code: UInt) {
    guard exchange === x else { return }
    exchange = nil
    x.timer?.cancel()
    x.progressTimer?.cancel()
    uncount(x)
    if let since = x.holdingSince {
      x.holdingSince = nil
      x.endpoint.holdEnded(waited: .now() - since, sent: false)
    }
    x.endpoint.ended(code: code, since: x.request.arrived, replayed: x.replayed && code < 300)
    if let operation = x.operation {
      let seconds = Double((NIODeadline.now() - x.request.arrived).nanoseconds) / 1e9
      x.endpoint.metrics.genAI.record(
        operation, model: x.model ?? x.endpoint.route()?.model, code: code, seconds: seconds, usage: x.tail.usage)
    }
  }

  private func uncount(_ x: Exchange) {
    guard let port = x.countedPort else { return }
    x.countedPort = nil
    x.endpoint.sending(toEngine: port, -1)
  }

  private func closeEngine() {
    generation += 1
    enginePaused = false
    stall?.cancel()
    engine?.close(promise: nil)
    engine = nil
    engineWire = nil
    enginePort = nil
  }
}

extension TimeAmount {
  init(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
  }
}
