import Foundation

/// One HTTP exchange. Redirects are never followed by the transport: the caller decides where to
/// go next and which headers go there (the Hub token must never reach the CDN's host).
public struct HTTPRequest: Sendable {
  public var url: String
  public var method: String
  public var headers: [String: String]
  /// A request body (sent with POST).
  public var body: [UInt8]?

  public init(url: String, method: String = "GET", headers: [String: String] = [:], body: [UInt8]? = nil) {
    self.url = url
    self.method = method
    self.headers = headers
    self.body = body
  }

  public func withBody(_ data: Data) -> HTTPRequest {
    var copy = self
    copy.body = [UInt8](data)
    copy.method = "POST"
    return copy
  }
}

public struct HTTPResponse: Sendable {
  public var status: Int
  /// Header names lowercased; a repeated header keeps its last value.
  public var headers: [String: String]
  /// The body, when the request did not stream it (error bodies, API answers).
  public var body: [UInt8]

  public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// When and how long to wait before trying a failed request again: connection errors, 429 and 5xx.
public struct RetryPolicy: Sendable {
  public var attempts: Int
  public var baseDelay: Duration
  public var maxDelay: Duration
  public var sleep: @Sendable (Duration) async throws -> Void

  public init(attempts: Int = 6, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30), sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
    self.attempts = attempts
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
    self.sleep = sleep
  }

  public static func isRetryable(status: Int) -> Bool { status == 429 || (500...599).contains(status) }

  /// The server's `Retry-After` (seconds) when it gives one, else exponential backoff; capped.
  public func delay(attempt: Int, retryAfter: String?) -> Duration {
    if let seconds = retryAfter.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), seconds >= 0 {
      return min(.seconds(seconds), maxDelay)
    }
    return min(baseDelay * (1 << min(attempt, 20)), maxDelay)
  }
}

public enum HTTPError: Error, Equatable, CustomStringConvertible {
  case transport(url: String, reason: String)
  case bodyRejected(url: String, reason: String)

  public var description: String {
    switch self {
    case .transport(let url, let reason): "cannot reach \(url): \(reason)"
    case .bodyRejected(let url, let reason): "download from \(url) stopped: \(reason)"
    }
  }
}

/// Receives a successful (2xx) response's body in chunks, with the status (200 or 206 tells whether
/// a Range request was honoured). Throwing aborts the transfer.
/// The chunk is only valid during the call (no copy is made on the way).
public typealias BodyHandler = @Sendable (_ status: Int, _ chunk: UnsafeRawBufferPointer) throws -> Void

/// Sends requests; `onBody` receives a successful response's body instead of collecting it.
public protocol HTTPTransport: Sendable {
  func send(_ request: HTTPRequest, onBody: BodyHandler?) async throws -> HTTPResponse
}
