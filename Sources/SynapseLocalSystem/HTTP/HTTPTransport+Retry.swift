import Foundation

extension HTTPTransport {
  /// A small request (metadata, an API call) tried again after connection errors, 429 and 5xx,
  /// waiting as `policy` says; the last answer or error is the caller's. A name that does not
  /// resolve is not tried again: the machine is offline, and waiting will not change that.
  public func sendRetrying(_ request: HTTPRequest, policy retry: RetryPolicy) async throws -> HTTPResponse {
    var attempt = 0
    while true {
      do {
        let response = try await send(request, onBody: nil)
        guard RetryPolicy.isRetryable(status: response.status), attempt + 1 < retry.attempts else { return response }
        try await retry.sleep(retry.delay(attempt: attempt, retryAfter: response.header("Retry-After")))
      } catch let error as HTTPError {
        if case .unresolvable = error { throw error }
        guard attempt + 1 < retry.attempts else { throw error }
        try await retry.sleep(retry.delay(attempt: attempt, retryAfter: nil))
      }
      attempt += 1
    }
  }
}
