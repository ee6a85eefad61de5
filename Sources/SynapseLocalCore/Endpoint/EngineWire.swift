import NIOCore
import NIOHTTP1

/// The socket end of a connection to an engine: a request goes out here as one buffer that the
/// relay encoded, past NIO's request encoder and the pipeline's look at each part of it (a third
/// of the cost of sending one, by perf at 64 connections). The answer's decoder still hears of
/// each request's head: its method says whether the answer has a body (HEAD's has none).
final class EngineWire: ChannelOutboundHandler, RemovableChannelHandler {
  typealias OutboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer
  typealias Decoder = HTTPResponseDecoder

  private var context: ChannelHandlerContext?
  /// The decoder of the answers on this connection (a class: the pipeline's handler holds it too).
  private let decoder: Decoder

  /// A connection's wire and the decoder of its answers, for its pipeline in that order.
  static func handlers() -> (EngineWire, ByteToMessageHandler<Decoder>) {
    let decoder = Decoder(leftOverBytesStrategy: .dropBytes)
    return (EngineWire(decoder: decoder), ByteToMessageHandler(decoder))
  }

  private init(decoder: Decoder) { self.decoder = decoder }

  func handlerAdded(context: ChannelHandlerContext) { self.context = context }
  func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

  /// Writes the whole request and flushes it (a failed write closes the connection). Told to the
  /// decoder at once, even from inside its own callback (the next request of a pipelined client,
  /// sent as the last answer ends): it keeps the heads in order, and its answer cannot have come.
  func send(_ head: HTTPRequestHead, body: ByteBuffer) {
    guard let context else { return }
    decoder.write(data: .head(head))
    context.writeAndFlush(wrapOutboundOut(Self.encode(head, body: body, allocator: context.channel.allocator)), promise: nil)
  }

  /// The request as HTTP/1.1 puts it on the wire: `head` as it is (its headers were parsed, and
  /// so checked, on the way in, and carry the body's length), then the body.
  static func encode(_ head: HTTPRequestHead, body: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
    var bytes = allocator.buffer(capacity: 64 + head.uri.utf8.count + head.headers.count * 32 + body.readableBytes)
    bytes.writeString(head.method.rawValue)
    bytes.writeInteger(UInt8(ascii: " "))
    bytes.writeString(head.uri)
    bytes.writeStaticString(" HTTP/1.1\r\n")
    bytes.writeHeaderLines(head.headers)
    bytes.writeImmutableBuffer(body)
    return bytes
  }
}
