import Foundation

/// Sends requests; `onBody` receives a successful response's body instead of collecting it.
public protocol HTTPTransport: Sendable {
  func send(_ request: HTTPRequest, onBody: BodyHandler?) async throws -> HTTPResponse
}
