import NIOCore
import SynapseLocalSystem

/// Sits in front of the HTTP decoder and tells the connection's handler when bytes arrive, so the
/// time to send a head is counted from a request's first byte, not from when its head is whole.
final class FirstByteWatch: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer

  var onBytes: (() -> Void)?

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    onBytes?()
    context.fireChannelRead(data)
  }
}
