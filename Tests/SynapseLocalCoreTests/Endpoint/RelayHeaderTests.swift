import NIOCore
import NIOHTTP1
import Testing

@testable import SynapseLocalCore

/// The relay's header work on bytes: what it finds, drops and writes must be what the slower
/// String and NIO ways gave.
@Suite("Relay headers")
struct RelayHeaderTests {
  @Test func anEventStreamIsFoundWhateverTheCase() {
    let stream = HTTPHeaders([("Content-Type", "Text/Event-Stream; charset=utf-8")])
    let json = HTTPHeaders([("content-type", "application/json; charset=utf-8")])
    #expect(stream.value(of: "content-type", containsLowercased: "text/event-stream"))
    #expect(!json.value(of: "content-type", containsLowercased: "text/event-stream"))
    #expect(!HTTPHeaders().value(of: "content-type", containsLowercased: "text/event-stream"))
    #expect(!HTTPHeaders([("Content-Type", "text/event")]).value(of: "content-type", containsLowercased: "text/event-stream"))
    // The token may sit anywhere in the value, and only its own bytes count.
    #expect(HTTPHeaders([("Content-Type", "x; TEXT/EVENT-STREAM")]).value(of: "Content-Type", containsLowercased: "text/event-stream"))
    #expect(!HTTPHeaders([("Content-Type", "text/event-strea")]).value(of: "content-type", containsLowercased: "text/event-stream"))
  }

  @Test func hopByHopHeadersAreDroppedInOnePassAndTheRestKeptInOrder() {
    let answer = HTTPHeaders([
      ("Server", "llama.cpp"), ("Content-Type", "application/json"), ("KEEP-ALIVE", "timeout=5, max=100"), ("Connection", "keep-alive"),
      ("Content-Length", "12"), ("Proxy-Connection", "x"),
    ])
    let kept = answer.removing(["connection", "keep-alive", "proxy-connection"])
    #expect(kept.map(\.name) == ["Server", "Content-Type", "Content-Length"])
    #expect(kept["content-length"] == ["12"])
    // What NIO's own remove(name:) leaves, one name at a time.
    var slow = answer
    for name in ["connection", "keep-alive", "proxy-connection"] { slow.remove(name: name) }
    #expect(kept == slow)
    let clean = HTTPHeaders([("Server", "llama.cpp"), ("Connection-Id", "7"), ("Keep", "x")])
    #expect(clean.removing(["connection", "keep-alive"]) == clean)
  }

  @Test func theForwardedHeadCarriesTheBodysLengthAndNoHopByHopHeader() {
    let asked = HTTPRequestHead(
      version: .http1_0, method: .POST, uri: "/v1/chat/completions?x=1",
      headers: HTTPHeaders([
        ("Host", "127.0.0.1"), ("Connection", "keep-alive"), ("Transfer-Encoding", "chunked"), ("TE", "trailers"),
        ("Expect", "100-continue"), ("Content-Type", "application/json"), ("Content-Length", "99"), ("Upgrade", "h2c"),
      ]))
    let forwarded = EngineRelay.forwarded(asked, bodyLength: 5)
    #expect(forwarded.version == .http1_1)
    #expect(forwarded.headers.map(\.name) == ["Host", "Content-Type", "Content-Length"])
    #expect(forwarded.headers["content-length"] == ["5"])
    let get = EngineRelay.forwarded(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/v1/models"), bodyLength: 0)
    #expect(!get.headers.contains(name: "content-length"))
    let emptyPost = EngineRelay.forwarded(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/x"), bodyLength: 0)
    #expect(emptyPost.headers["content-length"] == ["0"])
  }

  @Test func aRequestIsWrittenAsHTTP11WithItsBodyInOneBuffer() {
    let head = HTTPRequestHead(
      version: .http1_1, method: .POST, uri: "/v1/embeddings",
      headers: HTTPHeaders([("Host", "x"), ("Content-Type", "application/json"), ("Content-Length", "2")]))
    let bytes = EngineWire.encode(head, body: ByteBuffer(string: "{}"), allocator: ByteBufferAllocator())
    #expect(
      String(buffer: bytes)
        == "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
    let get = EngineWire.encode(
      HTTPRequestHead(version: .http1_1, method: .GET, uri: "/health"), body: ByteBuffer(), allocator: ByteBufferAllocator())
    #expect(String(buffer: get) == "GET /health HTTP/1.1\r\n\r\n")
  }
}
