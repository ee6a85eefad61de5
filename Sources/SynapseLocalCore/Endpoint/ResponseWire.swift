import NIOCore
import NIOHTTP1

/// An answer's bytes as HTTP/1.x frames them, made by the connection's handler itself rather than
/// by NIO's response encoder one pipeline step away (whose step per part, with its boxing and
/// casts, cost about as much as the encoding). The framing is NIO's: a body's length as given, or
/// chunks on HTTP/1.1 when there is none, or to the connection's end on HTTP/1.0; no body at all
/// for HEAD, 1xx, 204 and 304.
struct ResponseWire {
  enum Framing: Equatable {
    /// The body's bytes as they are: its length is in the head, or the connection's end marks it.
    case asIs
    case chunked
    /// No body may follow (HEAD, 1xx, 204, 304): any is dropped.
    case none
  }

  private(set) var framing = Framing.asIs

  /// The head's bytes; sets how the body that follows is framed.
  mutating func head(_ response: HTTPResponseHead, answeringHEAD: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
    var headers = response.headers
    let chunked: Bool
    if !response.status.mayHaveResponseBody {
      headers = headers.removing(["content-length", "transfer-encoding"])
      chunked = false
    } else if headers.contains(name: "content-length") {
      headers = headers.removing(["transfer-encoding"])
      chunked = false
    } else if response.version.major == 1 && response.version.minor >= 1 {
      // (A HEAD answer may still say how the body of a GET would have come.)
      headers = headers.removing(["transfer-encoding"])
      headers.add(name: "Transfer-Encoding", value: "chunked")
      chunked = true
    } else {
      chunked = false
    }
    framing = answeringHEAD || !response.status.mayHaveResponseBody ? .none : chunked ? .chunked : .asIs
    var bytes = allocator.buffer(capacity: 128 + headers.count * 40)
    bytes.writeStaticString(response.version.minor == 0 && response.version.major == 1 ? "HTTP/1.0 " : "HTTP/1.1 ")
    bytes.writeString(String(response.status.code))
    bytes.writeInteger(UInt8(ascii: " "))
    bytes.writeString(response.status.reasonPhrase)
    bytes.writeStaticString("\r\n")
    bytes.writeHeaderLines(headers)
    return bytes
  }

  /// A part of the body, framed, handed to `write` buffer by buffer (no array per part): nothing
  /// for an empty part (an empty chunk would end the body) or where no body may be; one buffer
  /// with its chunk's size line when small, three when large (large parts are not copied).
  func body(_ part: ByteBuffer, allocator: ByteBufferAllocator, write: (ByteBuffer) -> Void) {
    guard part.readableBytes > 0 else { return }
    switch framing {
    case .none: return
    case .asIs: write(part)
    case .chunked:
      let size = String(part.readableBytes, radix: 16)
      if part.readableBytes > Self.copyLimit {
        write(allocator.buffer(string: size + "\r\n"))
        write(part)
        write(allocator.buffer(staticString: "\r\n"))
        return
      }
      var framed = allocator.buffer(capacity: part.readableBytes + size.utf8.count + 4)
      framed.writeString(size)
      framed.writeStaticString("\r\n")
      framed.writeImmutableBuffer(part)
      framed.writeStaticString("\r\n")
      write(framed)
    }
  }

  /// The end of the body (the last chunk), and the wire is ready for the next answer.
  mutating func end(allocator: ByteBufferAllocator) -> ByteBuffer {
    defer { framing = .asIs }
    return framing == .chunked ? allocator.buffer(staticString: "0\r\n\r\n") : allocator.buffer(capacity: 0)
  }

  /// Parts up to this size are copied behind their chunk's size line, so they go out as one buffer.
  static let copyLimit = 64 << 10

  /// The interim answer to `Expect: 100-continue`.
  static func continueHead(_ version: HTTPVersion, allocator: ByteBufferAllocator) -> ByteBuffer {
    allocator.buffer(string: version == .http1_0 ? "HTTP/1.0 100 Continue\r\n\r\n" : "HTTP/1.1 100 Continue\r\n\r\n")
  }
}

extension ByteBuffer {
  /// Each header as `name: value` and its CRLF, then the blank line that ends a head.
  mutating func writeHeaderLines(_ headers: HTTPHeaders) {
    for (name, value) in headers {
      writeString(name)
      writeStaticString(": ")
      writeString(value)
      writeStaticString("\r\n")
    }
    writeStaticString("\r\n")
  }
}
