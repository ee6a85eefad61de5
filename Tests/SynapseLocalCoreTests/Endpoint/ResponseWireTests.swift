import NIOCore
import NIOHTTP1
import Testing

@testable import SynapseLocalCore

/// The connection handler frames its answers itself; the framing must be what NIO's response
/// encoder gave: a body's length kept, chunks on HTTP/1.1 without one, the connection's end on
/// HTTP/1.0, and no body for HEAD, 204 and 304.
@Suite("Response wire")
struct ResponseWireTests {
  let allocator = ByteBufferAllocator()

  func text(_ buffers: [ByteBuffer]) -> String { buffers.map { String(buffer: $0) }.joined() }

  /// The buffers the wire hands on for one part of a body.
  func parts(_ wire: ResponseWire, _ part: ByteBuffer) -> [ByteBuffer] {
    var written: [ByteBuffer] = []
    wire.body(part, allocator: allocator) { written.append($0) }
    return written
  }

  @Test func aBodyOfKnownLengthGoesAsItIs() {
    var wire = ResponseWire()
    let head = HTTPResponseHead(
      version: .http1_1, status: .ok,
      headers: HTTPHeaders([("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"), ("Content-Length", "2")]))
    #expect(
      String(buffer: wire.head(head, answeringHEAD: false, allocator: allocator))
        == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n")
    #expect(wire.framing == .asIs)
    #expect(text(parts(wire, ByteBuffer(string: "{}"))) == "{}")
    #expect(String(buffer: wire.end(allocator: allocator)) == "")
  }

  @Test func withoutALengthHTTP11GetsChunksAndEmptyPartsAreNoChunk() {
    var wire = ResponseWire()
    let head = HTTPResponseHead(
      version: .http1_1, status: .ok, headers: HTTPHeaders([("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked")]))
    #expect(
      String(buffer: wire.head(head, answeringHEAD: false, allocator: allocator))
        == "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
    #expect(text(parts(wire, ByteBuffer(string: "data: 1\n\n"))) == "9\r\ndata: 1\n\n\r\n")
    #expect(parts(wire, ByteBuffer()).isEmpty)
    let large = ByteBuffer(repeating: UInt8(ascii: "x"), count: ResponseWire.copyLimit + 1)
    let framed = parts(wire, large)
    #expect(framed.count == 3)
    #expect(String(buffer: framed[0]) == String(ResponseWire.copyLimit + 1, radix: 16) + "\r\n")
    #expect(framed[1] == large)
    #expect(String(buffer: wire.end(allocator: allocator)) == "0\r\n\r\n")
    // The next answer starts unframed.
    #expect(wire.framing == .asIs)
  }

  @Test func http10WithoutALengthEndsWithTheConnection() {
    var wire = ResponseWire()
    let head = HTTPResponseHead(version: .http1_0, status: .created, headers: HTTPHeaders([("Connection", "close")]))
    #expect(
      String(buffer: wire.head(head, answeringHEAD: false, allocator: allocator)) == "HTTP/1.0 201 Created\r\nConnection: close\r\n\r\n")
    #expect(text(parts(wire, ByteBuffer(string: "abc"))) == "abc")
    #expect(String(buffer: wire.end(allocator: allocator)) == "")
  }

  @Test func headAnswersAndBodilessStatusesCarryNoBody() {
    var wire = ResponseWire()
    let json = HTTPResponseHead(version: .http1_1, status: .ok, headers: HTTPHeaders([("Content-Length", "12")]))
    // A HEAD answer says what a GET would have had, and sends none of it.
    #expect(String(buffer: wire.head(json, answeringHEAD: true, allocator: allocator)) == "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")
    #expect(parts(wire, ByteBuffer(string: "{\"a\": true}\n")).isEmpty)
    #expect(String(buffer: wire.end(allocator: allocator)) == "")
    let empty = HTTPResponseHead(
      version: .http1_1, status: .noContent, headers: HTTPHeaders([("Content-Length", "0"), ("Transfer-Encoding", "chunked"), ("X", "y")]))
    #expect(String(buffer: wire.head(empty, answeringHEAD: false, allocator: allocator)) == "HTTP/1.1 204 No Content\r\nX: y\r\n\r\n")
    #expect(wire.framing == .none)
    #expect(String(buffer: ResponseWire.continueHead(.http1_1, allocator: allocator)) == "HTTP/1.1 100 Continue\r\n\r\n")
  }
}
