import NIOCore
import NIOHTTP1
import SynapseLocalSystem

/// One client connection to an endpoint: collects each request whole within the limits, hands it
/// to the responder, and writes the answer back; keeps the connection alive between requests.
/// Everything here runs on the connection's event loop.
///
/// The limits are the connection's timers: `idle` while no request is under way (closed quietly
/// when it runs out), `head` from a request's first byte (408), `body` between two parts of a
/// body (408). None runs while the responder answers: a model may take minutes.
final class ClientConnectionHandler: ChannelDuplexHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundIn = Never
  typealias OutboundOut = ByteBuffer

  enum Phase {
    case idle
    case receivingHead
    case receivingBody(HTTPRequestHead, ByteBuffer)
    /// The request is whole; the answer is being written. `keepAlive`: what the client asked.
    case responding(keepAlive: Bool)
    /// An error answer is on its way; nothing more is read.
    case closing
  }

  let limits: EndpointLimits
  let responder: any EndpointResponder
  /// Checked before a body is read (401 for a client from another host without the key).
  let admit: (HTTPRequestHead, Bool) -> EndpointErrorBody?
  let loopback: Bool
  private var phase = Phase.idle
  /// The one timer of the connection, and the deadline it serves (nil: none runs). Moving the
  /// deadline later costs nothing: the timer, when it fires early, sets itself again for the rest.
  private var timer: Scheduled<Void>?
  private var timerFires: NIODeadline?
  private var deadline: NIODeadline?
  private var context: ChannelHandlerContext?
  private var version = HTTPVersion.http1_1
  private var pipelined: [HTTPServerRequestPart] = []
  /// Bytes of a next request came while answering: its head's time runs from the answer's end.
  private var bytesWhileResponding = false
  private var isHead = false
  /// How the answer under way is framed (the handler writes its own bytes: `ResponseWire`).
  private var wire = ResponseWire()

  init(
    limits: EndpointLimits, loopback: Bool, responder: any EndpointResponder,
    admit: @escaping (HTTPRequestHead, Bool) -> EndpointErrorBody? = { _, _ in nil }
  ) {
    self.limits = limits
    self.loopback = loopback
    self.responder = responder
    self.admit = admit
  }

  var allocator: ByteBufferAllocator { context?.channel.allocator ?? ByteBufferAllocator() }
  var isWritable: Bool { context?.channel.isWritable ?? false }
  var isOpen: Bool { context != nil }
  var eventLoop: (any EventLoop)? { context?.eventLoop }

  // MARK: lifecycle

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    if context.channel.isActive { arm(limits.idleTimeout) }
  }

  func channelActive(context: ChannelHandlerContext) {
    arm(limits.idleTimeout)
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    timer?.cancel()
    deadline = nil
    self.context = nil
    responder.clientClosed()
    context.fireChannelInactive()
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable { responder.clientBecameWritable() }
    context.fireChannelWritabilityChanged()
  }

  /// Bytes arrived (from `FirstByteWatch`): a new request's head is under way.
  func bytesArrived() {
    if case .responding = phase { bytesWhileResponding = true }
    guard case .idle = phase else { return }
    phase = .receivingHead
    arm(limits.headTimeout)
  }

  // MARK: requests

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    accept(unwrapInboundIn(data), context: context)
  }

  private func accept(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
    switch phase {
    case .responding:
      // A pipelined request: kept, in order, until this answer is done; no more is read meanwhile.
      pipelined.append(part)
      try? context.channel.syncOptions?.setOption(.autoRead, value: false)
    case .closing:
      break
    default:
      receive(part, context: context)
    }
  }

  private func receive(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
    switch part {
    case .head(let head):
      version = head.version
      isHead = head.method == .HEAD
      if let refusal = admit(head, loopback) ?? Self.bodyTooLarge(head, limit: limits.maxBodyBytes) {
        return refuse(refusal)
      }
      if let expect = head.headers.first(name: "expect"), expect.lowercased() == "100-continue" {
        context.writeAndFlush(wrapOutboundOut(ResponseWire.continueHead(head.version, allocator: context.channel.allocator)), promise: nil)
      }
      phase = .receivingBody(head, context.channel.allocator.buffer(capacity: 0))
      arm(limits.idleTimeout)
    case .body(var part):
      guard case .receivingBody(let head, var body) = phase else { return }
      guard body.readableBytes + part.readableBytes <= limits.maxBodyBytes else {
        return refuse(
          EndpointErrorBody(
            status: .payloadTooLarge, message: "the request body is larger than \(limits.maxBodyBytes) bytes (endpoint.max_body_bytes)"))
      }
      phase = .idle  // (lets `body` be uniquely referenced while it grows)
      body.writeBuffer(&part)
      phase = .receivingBody(head, body)
      arm(limits.idleTimeout)
    case .end:
      guard case .receivingBody(let head, let body) = phase else { return }
      deadline = nil
      phase = .responding(keepAlive: head.isKeepAlive)
      responder.respond(to: BufferedRequest(head: head, body: body, loopback: loopback, arrived: .now()), on: self)
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    switch (phase, error as? HTTPParserError) {
    case (.responding, _), (.closing, _), (_, nil):
      context.close(promise: nil)
    case (_, .headerOverflow?):
      refuse(
        EndpointErrorBody(
          status: .requestHeaderFieldsTooLarge,
          message: "the request head is larger than \(limits.maxHeadBytes) bytes (endpoint.max_head_bytes)"))
    case (_, let parserError?):
      refuse(
        EndpointErrorBody(status: .badRequest, message: "malformed HTTP request (\(parserError)); send HTTP/1.1 with a valid body length"))
    }
  }

  /// A Content-Length past the limit is refused before a byte of the body is read.
  static func bodyTooLarge(_ head: HTTPRequestHead, limit: Int) -> EndpointErrorBody? {
    guard let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limit else { return nil }
    return EndpointErrorBody(
      status: .payloadTooLarge, message: "the request body is \(length) bytes, more than \(limit) (endpoint.max_body_bytes)")
  }

  // MARK: answers (the responder's side)

  func sendHead(_ head: HTTPResponseHead) {
    guard let context, case .responding(var keepAlive) = phase else { return }
    var head = head
    head.version = version
    head.headers = head.headers.removing(["connection", "keep-alive", "proxy-connection"])
    if version == .http1_0 {
      // HTTP/1.0 has no chunked framing: an answer of unknown length ends with the connection.
      head.headers.remove(name: "transfer-encoding")
      if !head.headers.contains(name: "content-length") && !isHead {
        keepAlive = false
        phase = .responding(keepAlive: false)
      }
      if keepAlive { head.headers.add(name: "Connection", value: "keep-alive") }
    }
    if !keepAlive { head.headers.add(name: "Connection", value: "close") }
    context.write(wrapOutboundOut(wire.head(head, answeringHEAD: isHead, allocator: context.channel.allocator)), promise: nil)
  }

  func flush() { context?.flush() }

  func sendBody(_ part: ByteBuffer, flush: Bool = true) {
    guard let context, case .responding = phase, !isHead else { return }
    wire.body(part, allocator: context.channel.allocator) { context.write(wrapOutboundOut($0), promise: nil) }
    if flush { context.flush() }
  }

  /// The answer is complete: the connection waits for the next request, or closes when the client
  /// asked for that (or `close`: the answer was cut short).
  func finish(close: Bool = false) {
    guard let context, case .responding(let keepAlive) = phase else { return }
    if close || !keepAlive {
      phase = .closing
      context.writeAndFlush(wrapOutboundOut(wire.end(allocator: context.channel.allocator))).assumeIsolated().whenComplete { _ in
        context.close(promise: nil)
      }
      return
    }
    context.writeAndFlush(wrapOutboundOut(wire.end(allocator: context.channel.allocator)), promise: nil)
    phase = .idle
    isHead = false
    if bytesWhileResponding {
      bytesWhileResponding = false
      phase = .receivingHead
      arm(limits.headTimeout)
    } else {
      arm(limits.idleTimeout)
    }
    guard !pipelined.isEmpty else { return }
    let parts = pipelined
    pipelined = []
    try? context.channel.syncOptions?.setOption(.autoRead, value: true)
    for part in parts {
      if case .head = part { bytesArrived() }
      accept(part, context: context)
    }
  }

  /// Ends the connection at once (an answer broken off mid-way with no way to say so).
  func abort() {
    phase = .closing
    context?.close(promise: nil)
  }

  /// An answer of the endpoint's own, then the next request (or the end, when the client asked).
  func answer(_ error: EndpointErrorBody) {
    guard case .responding(let keepAlive) = phase, let context else { return }
    let (head, body) = error.response(version: version, close: !keepAlive, allocator: context.channel.allocator)
    context.write(wrapOutboundOut(wire.head(head, answeringHEAD: isHead, allocator: context.channel.allocator)), promise: nil)
    if !isHead { sendBody(body, flush: false) }
    finish()
  }

  /// An error answer before the request was whole: the rest of it is never read.
  func refuse(_ error: EndpointErrorBody) {
    guard let context else { return }
    deadline = nil
    if error.status != .unauthorized { responder.refused(error.status) }
    phase = .closing
    let (head, body) = error.response(version: version, close: true, allocator: context.channel.allocator)
    var bytes = wire.head(head, answeringHEAD: isHead, allocator: context.channel.allocator)
    if wire.framing != .none { bytes.writeImmutableBuffer(body) }
    context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
  }

  // MARK: timers

  private func arm(_ limit: Duration) {
    guard let context else { return }
    let due = NIODeadline.now() + TimeAmount(limit)
    deadline = due
    // A timer already set to fire before the new deadline will set itself again when it fires.
    if let fires = timerFires, fires <= due { return }
    timer?.cancel()
    schedule(at: due, on: context.eventLoop)
  }

  private func schedule(at due: NIODeadline, on loop: any EventLoop) {
    timerFires = due
    timer = loop.assumeIsolated().scheduleTask(deadline: due) { [self] in
      timerFires = nil
      timer = nil
      guard let deadline, let loop = context?.eventLoop else { return }
      if NIODeadline.now() < deadline { return schedule(at: deadline, on: loop) }
      timedOut()
    }
  }

  private func timedOut() {
    deadline = nil
    switch phase {
    case .idle:
      context?.close(promise: nil)
    case .receivingHead:
      refuse(
        EndpointErrorBody(
          status: .requestTimeout, message: "the request head did not arrive within \(limits.headTimeout) (endpoint.head_seconds)"))
    case .receivingBody:
      refuse(
        EndpointErrorBody(
          status: .requestTimeout, message: "the request body stopped arriving for \(limits.idleTimeout) (endpoint.idle_seconds)"))
    case .responding, .closing:
      break
    }
  }
}
