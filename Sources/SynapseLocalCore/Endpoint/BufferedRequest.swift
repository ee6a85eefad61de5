import NIOCore
import NIOHTTP1
import SynapseLocalSystem

/// One client request as an endpoint answers it: the head and the whole body (chat and embedding
/// requests are small JSON documents, and a request replayed after a crash must still be there).
struct BufferedRequest {
  var head: HTTPRequestHead
  var body: ByteBuffer
  /// Whether the client is on this machine (127.0.0.0/8 or ::1).
  var loopback: Bool
  /// When its head arrived.
  var arrived: NIODeadline
}

/// Answers the requests of one client connection, on that connection's event loop.
protocol EndpointResponder: AnyObject {
  func respond(to request: BufferedRequest, on client: ClientConnectionHandler)
  /// The client can take more of the answer again (it had stopped reading).
  func clientBecameWritable()
  /// The client's connection ended; anything under way for it stops.
  func clientClosed()
  /// The connection answered a request itself before it was whole (400, 408, 413, 431).
  func refused(_ status: HTTPResponseStatus)
}
