import NIOCore
import NIOHTTP1
import SynapseLocalSystem

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
