import Foundation
import NIOCore
import NIOHTTP1
import SynapseLocalSystem

/// An endpoint's own answers when it cannot relay: an OpenAI-style JSON error body with the
/// status that says why (400 malformed, 401 key, 408 too slow, 413 and 431 too large, 503 with
/// `Retry-After` while no engine is ready, 504 when an engine does not answer).
struct EndpointErrorBody: Sendable {
  var status: HTTPResponseStatus
  var message: String
  /// Seconds, for a 503.
  var retryAfter: Int?

  static func unavailable(_ message: String) -> EndpointErrorBody {
    EndpointErrorBody(status: .serviceUnavailable, message: message, retryAfter: 2)
  }

  var type: String {
    switch status.code {
    case 401: "authentication_error"
    case 500...: "unavailable"
    default: "invalid_request_error"
    }
  }

  /// `{"error": {"code", "message", "type"}}`, as OpenAI's API and llama-server write errors.
  var json: String {
    struct Document: Encodable {
      struct Detail: Encodable {
        var message: String
        var type: String
        var code: UInt
      }
      var error: Detail
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(Document(error: .init(message: message, type: type, code: status.code)))) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }

  /// The head and body, ready to write; `close` adds `Connection: close`.
  func response(version: HTTPVersion = .http1_1, close: Bool, allocator: ByteBufferAllocator) -> (HTTPResponseHead, ByteBuffer) {
    let body = allocator.buffer(string: json)
    var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.readableBytes))])
    if let retryAfter { headers.add(name: "Retry-After", value: String(retryAfter)) }
    if close { headers.add(name: "Connection", value: "close") }
    return (HTTPResponseHead(version: version, status: status, headers: headers), body)
  }
}
