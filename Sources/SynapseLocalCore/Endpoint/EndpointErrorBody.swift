import Foundation
import NIOCore
import NIOHTTP1

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

  var json: String {
    #"{"error": {"message": \#(JSONText.quoted(message)), "type": "\#(type)", "code": \#(status.code)}}"#
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

/// JSON string literals without a full encoder on the hot path.
enum JSONText {
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
