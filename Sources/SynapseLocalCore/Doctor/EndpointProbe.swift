import Foundation
import SynapseLocalSystem

/// Requests to the model endpoints as the backend makes them: short limits, JSON in and out.
struct EndpointProbe: Sendable {
  /// The context's transport; each request carries the limit.
  var http: any HTTPTransport
  static let timeout: Duration = .seconds(30)

  func get(_ url: String) async -> (Int, Any?) {
    guard let response = try? await http.send(HTTPRequest(url: url, timeout: Self.timeout), onBody: nil) else { return (0, nil) }
    return (response.status, try? JSONSerialization.jsonObject(with: Data(response.body)))
  }

  func post(_ url: String, _ body: [String: Any]) async -> (Int, Any?) {
    guard let data = try? JSONSerialization.data(withJSONObject: body),
      let response = try? await http.send(
        HTTPRequest(url: url, method: "POST", headers: ["Content-Type": "application/json"], timeout: Self.timeout).withBody(data),
        onBody: nil)
    else { return (0, nil) }
    return (response.status, try? JSONSerialization.jsonObject(with: Data(response.body)))
  }

  /// `LOCAL_*_ENDPOINT` with `/v1` once: the guide's clients append it.
  static func v1(_ endpoint: String) -> String {
    let trimmed = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
    return trimmed.hasSuffix("/v1") ? trimmed : trimmed + "/v1"
  }
}
