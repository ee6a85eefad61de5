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
  private var events: StatusEvents?

  init(pages: StatusServer.Pages, loopback: Bool, onClose: @escaping () -> Void) {
    self.pages = pages
    self.loopback = loopback
    self.onClose = onClose
  }

  /// An answer: its type, body and any headers beside the length.
  struct Answer: Sendable {
    var type: String
    var body: [UInt8]
    var headers: [(String, String)] = []
  }

  /// The page and its files run only what the port itself serves, so a value that slipped past
  /// escaping could still run no script.
  static let pageHeaders = [
    ("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'"),
    ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
  ]

  func respond(to request: BufferedRequest, on client: ClientConnectionHandler) {
    guard request.head.method == .GET || request.head.method == .HEAD else {
      return client.answer(EndpointErrorBody(status: .methodNotAllowed, message: "the status port answers GET only"))
    }
    let path = request.head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
    guard let loop = client.eventLoop else { return }
    let (pages, loopback) = (self.pages, self.loopback)
    let head = request.head.method == .HEAD
    let work: @Sendable () async throws -> Answer
    switch (path, pages.board, pages.page) {
    case ("/metrics", _, _):
      work = { Answer(type: StatusServer.prometheusType, body: await pages.metrics()) }
    case ("/api/status", _, _):
      work = { Answer(type: "application/json", body: try StatusServer.statusPage(try await pages.status(), loopback: loopback)) }
    case ("/api/events", let board?, _):
      let events = StatusEvents(board: board, loopback: loopback, client: client, loop: loop)
      self.events = events
      return events.start(head: head)
    case ("/", let board?, let page?):
      work = {
        let html = try page.render(await board.snapshot(), loopback: loopback)
        return Answer(type: "text/html; charset=utf-8", body: Array(html.utf8), headers: Self.pageHeaders)
      }
    case (_, _?, let page?) where StatusPage.assets[path] != nil:
      work = {
        guard let (type, body) = try page.asset(path) else { throw GenerateError.templateMissing(path: path) }
        return Answer(type: type, body: body, headers: Self.pageHeaders)
      }
    default:
      return client.answer(
        EndpointErrorBody(
          status: .notFound, message: "no such page: \(path); the status port serves /, /api/events, /api/status and /metrics"))
    }
    // Made only for an answer in one piece: a promise never completed is a leak NIO traps on.
    let promise = loop.makePromise(of: Answer.self)
    promise.completeWithTask(work)
    promise.futureResult.assumeIsolated().whenComplete { result in
      switch result {
      case .success(let answer):
        let headers = HTTPHeaders([("Content-Type", answer.type), ("Content-Length", String(answer.body.count))] + answer.headers)
        client.sendHead(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))
        if !head { client.sendBody(client.allocator.buffer(bytes: answer.body), flush: false) }
        client.finish()
      case .failure(let error):
        client.answer(EndpointErrorBody.unavailable("the supervisor could not report its status: \(error)"))
      }
    }
  }

  func clientBecameWritable() {}

  func clientClosed() {
    events?.stop()
    events = nil
    onClose()
  }

  func refused(_ status: HTTPResponseStatus) {}
}
