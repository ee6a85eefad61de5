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
