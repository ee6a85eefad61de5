import Foundation
import NIOCore
import NIOHTTP1
import SynapseLocalSystem

/// Answers one status-port connection's requests.
final class StatusResponder: EndpointResponder {
  let pages: StatusServer.Pages
  /// Whether the client is on this host (it may read the services' log lines).
  let loopback: Bool
  let onClose: () -> Void

  init(pages: StatusServer.Pages, loopback: Bool, onClose: @escaping () -> Void) {
    self.pages = pages
    self.loopback = loopback
    self.onClose = onClose
  }

  func respond(to request: BufferedRequest, on client: ClientConnectionHandler) {
    guard request.head.method == .GET || request.head.method == .HEAD else {
      return client.answer(EndpointErrorBody(status: .methodNotAllowed, message: "the status port answers GET only"))
    }
    let path = request.head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
    guard let loop = client.eventLoop else { return }
    let (pages, loopback) = (self.pages, self.loopback)
    let promise = loop.makePromise(of: (String, [UInt8]).self)
    switch path {
    case "/metrics":
      promise.completeWithTask { (StatusServer.prometheusType, await pages.metrics()) }
    case "/api/status":
      promise.completeWithTask { ("application/json", try StatusServer.statusPage(try await pages.status(), loopback: loopback)) }
    default:
      return client.answer(
        EndpointErrorBody(status: .notFound, message: "no such page: \(path); the status port serves /metrics and /api/status"))
    }
    let head = request.head.method == .HEAD
    promise.futureResult.assumeIsolated().whenComplete { result in
      switch result {
      case .success(let (type, body)):
        let headers = HTTPHeaders([("Content-Type", type), ("Content-Length", String(body.count))])
        client.sendHead(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))
        if !head { client.sendBody(client.allocator.buffer(bytes: body), flush: false) }
        client.finish()
      case .failure(let error):
        client.answer(EndpointErrorBody.unavailable("the supervisor could not report its status: \(error)"))
      }
    }
  }

  func clientBecameWritable() {}
  func clientClosed() { onClose() }
  func refused(_ status: HTTPResponseStatus) {}
}
