import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// An HTTP transport that answers from a function the test sets; a request it has no answer for
/// is a test failure (and a connection error to the caller). As the real transport does, a 2xx
/// body goes to `onBody` when there is one, instead of into the response. Each request's timeout is
/// kept (`timeouts`), and `unanswered` stands for a server that never replies: the request fails
/// as the real transport's does once its timeout passes, and one with no timeout is a test
/// failure (it would wait for ever).
public final class ScriptedHTTP: HTTPTransport, @unchecked Sendable {
  private let lock = NSLock()
  private var answer: @Sendable (HTTPRequest) -> HTTPResponse?
  private var sent: [HTTPRequest] = []

  /// An answer meaning "no reply, ever" (a hung server).
  public static let unanswered = HTTPResponse(status: -1)

  public init(_ answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse? = { _ in nil }) {
    self.answer = answer
  }

  public func answer(with function: @escaping @Sendable (HTTPRequest) -> HTTPResponse?) {
    lock.withLock { answer = function }
  }

  /// The URLs asked so far, in order.
  public var requests: [String] { lock.withLock { sent.map(\.url) } }
  /// Each request's timeout, in order.
  public var timeouts: [Duration?] { lock.withLock { sent.map(\.timeout) } }

  public func send(_ request: HTTPRequest, onBody: BodyHandler?) async throws -> HTTPResponse {
    let function = lock.withLock {
      sent.append(request)
      return answer
    }
    guard let response = function(request) else {
      Issue.record("unexpected HTTP request \(request.method) \(request.url)")
      throw HTTPError.transport(url: request.url, reason: "ScriptedHTTP has no answer for it")
    }
    if response.status == Self.unanswered.status {
      guard let timeout = request.timeout else {
        Issue.record("\(request.method) \(request.url) has no timeout, and its server never answers")
        throw HTTPError.transport(url: request.url, reason: "no answer and no timeout")
      }
      throw HTTPError.transport(url: request.url, reason: "no answer within \(timeout)")
    }
    guard let onBody, (200..<300).contains(response.status) else { return response }
    try response.body.withUnsafeBytes { try onBody(response.status, $0) }
    var streamed = response
    streamed.body = []
    return streamed
  }
}
