import Foundation
import NIOCore
import NIOHTTP1
import SynapseLocalSystem

/// The supervisor's status port (`status.port`, 9090): `GET /metrics` in the Prometheus text
/// format and `GET /api/status`, the JSON of `status --json`. It runs on the same foundation and
/// limits as the stable endpoints; under `expose_models` other hosts must send the models key, and
/// get the status without the services' log lines.
public final class StatusServer: Sendable {
  /// What the port serves, each page made when it is asked for.
  public struct Pages: Sendable {
    public var metrics: @Sendable () async -> [UInt8]
    public var status: @Sendable () async throws -> StackStatus

    public init(metrics: @escaping @Sendable () async -> [UInt8], status: @escaping @Sendable () async throws -> StackStatus) {
      self.metrics = metrics
      self.status = status
    }
  }

  static let prometheusType = "text/plain; version=0.0.4; charset=utf-8"

  let server: EndpointServer
  public var port: Int { server.port }

  public init(host: String = "127.0.0.1", port: Int, limits: EndpointLimits = EndpointLimits(), remoteKey: String? = nil, pages: Pages)
    throws
  {
    let admit: @Sendable (HTTPRequestHead, Bool) -> EndpointErrorBody? = { head, loopback in
      guard !loopback, let remoteKey, !BearerKey.matches(head.headers.first(name: "authorization"), key: remoteKey) else { return nil }
      return EndpointErrorBody(
        status: .unauthorized,
        message: "the status port needs the models key from other hosts: send Authorization: Bearer <secrets/models-key>")
    }
    // Other hosts (under expose_models) get a bounded share of connections, as at the endpoints.
    let remote = RemoteConnections()
    let limited = remoteKey != nil
    let admitConnection: @Sendable (Bool) -> Bool = { loopback in loopback || remote.admit() }
    let connectionLimit = limited ? admitConnection : nil
    do throws(ListenError) {
      server = try EndpointServer(host: host, port: port, limits: limits, connectionLimit: connectionLimit, admit: admit) { loopback in
        StatusResponder(pages: pages, loopback: loopback) { if limited && !loopback { remote.release() } }
      }
    } catch {
      throw ListenError.statusPort(error)
    }
  }

  public func close() { server.close() }

  /// `/api/status`'s body. A failed service's log lines stay on this host: a log may hold what
  /// was sent to the service, and the models key that lets another host in is no licence to read it.
  public static func statusPage(_ status: StackStatus, loopback: Bool) throws -> [UInt8] {
    Array(try JSONDocument.encode(loopback ? status : status.withoutLogTails()))
  }
}

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
