import Foundation
import NIOCore
import SynapseLocalSystem

/// One control connection: a JSON request up to its newline (or the client's end of writing),
/// one JSON reply, then the end. A client that sends nothing for 5 s, or more than 64 KiB, is
/// closed: neither can hold anything of the supervisor's.
final class ControlConnectionHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  static let limit = 64 << 10
  let handler: @Sendable (ControlRequest) async -> ControlReply
  private var received = Data()
  private var answering = false
  private var timer: Scheduled<Void>?

  init(handler: @escaping @Sendable (ControlRequest) async -> ControlReply) { self.handler = handler }

  func channelActive(context: ChannelHandlerContext) {
    let channel = context.channel
    timer = context.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
    context.fireChannelActive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !answering else { return }
    var bytes = unwrapInboundIn(data)
    received.append(contentsOf: bytes.readBytes(length: bytes.readableBytes) ?? [])
    if received.contains(UInt8(ascii: "\n")) || received.count >= Self.limit { answer(context: context) }
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    // The client's end of writing (it shuts down its side once its request is sent).
    if event as? ChannelEvent == .inputClosed, !answering { answer(context: context) }
    context.fireUserInboundEventTriggered(event)
  }

  func channelInactive(context: ChannelHandlerContext) {
    timer?.cancel()
    context.fireChannelInactive()
  }

  private func answer(context: ChannelHandlerContext) {
    answering = true
    timer?.cancel()
    let request = ControlServer.request(from: received)
    let handler = self.handler
    let promise = context.eventLoop.makePromise(of: ControlEnvelope<ControlReply>.self)
    promise.completeWithTask {
      switch request {
      case .success(let request):
        let reply = await handler(request)
        // A refusal also fills `error`, which is all a protocol 1 client reads.
        if case .refused(let reason) = reply { return ControlEnvelope(body: reply, error: reason) }
        return ControlEnvelope(body: reply)
      case .failure(let problem):
        return ControlEnvelope(body: .refused(problem.description), error: problem.description)
      }
    }
    let channel = context.channel
    promise.futureResult.whenSuccess { envelope in
      let data = (try? JSONEncoder().encode(envelope)) ?? Data()
      channel.writeAndFlush(channel.allocator.buffer(bytes: data)).whenComplete { _ in channel.close(promise: nil) }
    }
  }
}
