/// One HTTP exchange. Redirects are never followed by the transport: the caller decides where to
/// go next and which headers go there (the Hub token must never reach the CDN's host).
public struct HTTPRequest: Sendable {
  public var url: String
  public var method: String
  public var headers: [String: String]

  public init(url: String, method: String = "GET", headers: [String: String] = [:]) {
    self.url = url
    self.method = method
    self.headers = headers
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

/// Sends requests; `onBody` receives a successful (2xx) response's body in chunks instead of
/// collecting it. Throwing from `onBody` aborts the transfer.
public protocol HTTPTransport: Sendable {
  func send(_ request: HTTPRequest, onBody: (@Sendable ([UInt8]) throws -> Void)?) async throws -> HTTPResponse
}
