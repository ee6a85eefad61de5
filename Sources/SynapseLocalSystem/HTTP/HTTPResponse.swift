import Foundation

public struct HTTPResponse: Sendable {
  public var status: Int
  /// Header names lowercased; a repeated header keeps its last value.
  public var headers: [String: String]
  /// The body, when the request did not stream it (error bodies, API answers).
  public var body: [UInt8]

  public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
