import NIOCore
import NIOHTTP1
import SynapseLocalSystem

/// The engine-facing end of a relay: hands each part of the engine's answer to the relay, and
/// tells it when the connection ends. One per keep-alive connection to an engine.
final class UpstreamHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPClientResponsePart

  weak var relay: EngineRelay?
  /// Which connection this is, so a relay ignores a connection it has already given up on.
  let generation: Int

  init(relay: EngineRelay, generation: Int) {
    self.relay = relay
    self.generation = generation
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    relay?.engineSent(unwrapInboundIn(data), generation: generation)
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    relay?.engineReadComplete(generation: generation)
    context.fireChannelReadComplete()
  }

  func channelInactive(context: ChannelHandlerContext) {
    relay?.engineClosed(generation: generation)
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    context.close(promise: nil)
  }
}
