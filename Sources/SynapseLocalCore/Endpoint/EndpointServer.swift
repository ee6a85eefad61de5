import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SynapseLocalSystem

/// The HTTP/1.1 server under the stable endpoints and the status port, on SwiftNIO's event loops
/// (one per effective core, shared by every server in the process): a connection costs a few
/// kilobytes, not a thread, so thousands of idle clients change nothing for the ones at work.
/// Each connection gets a `ClientConnectionHandler` with the limits and a responder of its own.
final class EndpointServer: @unchecked Sendable {
  /// The event loops every endpoint shares, one per core this process may use (NIO counts cgroup
  /// quotas and CPU sets); `SYNAPSE_LOCAL_EVENT_LOOPS` sets another number.
  static let eventLoops: any EventLoopGroup = {
    let asked = ProcessInfo.processInfo.environment["SYNAPSE_LOCAL_EVENT_LOOPS"].flatMap(Int.init) ?? 0
    return MultiThreadedEventLoopGroup(numberOfThreads: (1...256).contains(asked) ? asked : System.coreCount)
  }()

  let channel: any Channel
  let port: Int
  private let lock = NSLock()
  private var closed = false

  /// `makeResponder` runs once per connection, on its event loop, told whether its client is on
  /// loopback. `admit` sees each request head
  /// (and whether its client is on loopback) before any of its body is read.
  init(
    host: String, port: Int, limits: EndpointLimits, connectionLimit: (@Sendable (Bool) -> Bool)? = nil,
    admit: @escaping @Sendable (HTTPRequestHead, Bool) -> EndpointErrorBody? = { _, _ in nil },
    makeResponder: @escaping @Sendable (Bool) -> any EndpointResponder
  ) throws(ListenError) {
    let decoderLimits = {
      var configuration = NIOHTTPDecoderLimitConfiguration()
      configuration.maxHeaderListSize = limits.maxHeadBytes
      configuration.maxHeaderFieldSize = limits.maxHeadBytes
      return configuration
    }()
    let bootstrap = ServerBootstrap(group: Self.eventLoops)
      .serverChannelOption(.backlog, value: 4096)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelOption(.maxMessagesPerRead, value: 16)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let loopback = Self.isLoopback(channel.remoteAddress)
          if let connectionLimit, !connectionLimit(loopback) {
            // Over the share other hosts may hold: one answer, then the end.
            let refusal = EndpointErrorBody.unavailable("too many connections from other hosts; try again shortly")
            let (head, body) = refusal.response(close: true, allocator: channel.allocator)
            try channel.pipeline.syncOperations.addHandler(HTTPResponseEncoder())
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
            return
          }
          let watch = FirstByteWatch()
          let handler = ClientConnectionHandler(limits: limits, loopback: loopback, responder: makeResponder(loopback), admit: admit)
          watch.onBytes = { [unowned handler] in handler.bytesArrived() }
          let operations = channel.pipeline.syncOperations
          try operations.addHandler(watch)
          // NIO's request decoder; the answers' bytes, pipelining and parse errors are the
          // handler's own (`ClientConnectionHandler`, `ResponseWire`). The headers it sends were
          // parsed on the way in, or are its own.
          try operations.addHandler(
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, limitConfiguration: decoderLimits)))
          try operations.addHandler(handler)
        }
      }
    do {
      channel = try bootstrap.bind(host: host, port: port).wait()
    } catch {
      throw ListenError.port(host: host, port: port, reason: Self.reason(error))
    }
    self.port = channel.localAddress?.port ?? port
  }

  /// Stops accepting; connections under way end with the process or their clients.
  func close() {
    let first = lock.withLock {
      defer { closed = true }
      return !closed
    }
    guard first else { return }
    try? channel.close().wait()
  }

  static func isLoopback(_ address: SocketAddress?) -> Bool {
    guard let ip = address?.ipAddress else { return address?.protocol == .unix }
    return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
  }

  static func reason(_ error: any Error) -> String {
    if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
    return "\(error)"
  }
}
