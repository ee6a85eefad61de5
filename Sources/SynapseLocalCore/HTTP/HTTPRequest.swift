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
