import Foundation
import NIOCore
import NIOHTTP1
import SynapseLocalSystem

/// The supervisor's status port (`status.port`, 8790): the status page at `/` (`StatusPage`, live
/// through `/api/events`), `GET /metrics` in the Prometheus text format and `GET /api/status`, the
/// JSON of `status --json`. It runs on the same foundation and limits as the stable endpoints;
/// under `expose_models` other hosts must send the models key for every page, and get no log lines.
public final class StatusServer: Sendable {
  /// What the port serves, each page made when it is asked for.
  public struct Pages: Sendable {
    public var metrics: @Sendable () async -> [UInt8]
    public var status: @Sendable () async throws -> StackStatus
    /// The status page (`/`, its files, `/api/events`): what it shows, and its templates; without
    /// them the port serves `/metrics` and `/api/status` only.
    public var board: StatusBoard?
    public var page: StatusPage?

    public init(
      metrics: @escaping @Sendable () async -> [UInt8], status: @escaping @Sendable () async throws -> StackStatus,
      board: StatusBoard? = nil, page: StatusPage? = nil
    ) {
      self.metrics = metrics
      self.status = status
      self.board = board
      self.page = page
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
