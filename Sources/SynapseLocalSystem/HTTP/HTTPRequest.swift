import Foundation

/// One HTTP exchange. Redirects are never followed by the transport: the caller decides where to
/// go next and which headers go there (the Hub token must never reach the CDN's host).
public struct HTTPRequest: Sendable {
  public var url: String
  public var method: String
  public var headers: [String: String]
  /// A request body (sent with POST).
  public var body: [UInt8]?
  /// The whole exchange's limit (health checks, doctor's probes); nil: the transport's own, none
  /// for downloads of any size. One transport serves both.
  public var timeout: Duration?

  public init(url: String, method: String = "GET", headers: [String: String] = [:], body: [UInt8]? = nil, timeout: Duration? = nil) {
    self.url = url
    self.method = method
    self.headers = headers
    self.body = body
    self.timeout = timeout
  }

  public func withBody(_ data: Data) -> HTTPRequest {
    var copy = self
    copy.body = [UInt8](data)
    copy.method = "POST"
    return copy
  }
}
