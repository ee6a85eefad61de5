import Foundation
import NIOCore
import NIOPosix
import SynapseLocalSystem

#if canImport(Glibc)
  import Glibc
#endif

/// The supervisor's side: the Unix socket on the endpoints' event loops, one request and one
/// reply per connection, each request answered by `handler` in a task of its own.
public final class ControlServer: @unchecked Sendable {
  let path: String
  let channel: any Channel
  /// Where the socket's file is removed and narrowed.
  let files: any FileSystem

  public init(state: String, files: any FileSystem, handler: @escaping @Sendable (ControlRequest) async -> ControlReply) throws {
    let path = ControlSocket.path(state: state)
    self.path = path
    self.files = files
    // A socket that still answers belongs to a running supervisor (of any version): never take it.
    if Self.answers(path) {
      throw ControlError.anotherSupervisor(path: path)
    }
    try? files.remove(path)
    _ = try ControlSocket.address(path)  // (a path too long for a socket is said plainly)
    let bootstrap = ServerBootstrap(group: EndpointServer.eventLoops)
      .serverChannelOption(.backlog, value: 64)
      // The client shuts down its writing once its request is sent, and still reads the reply.
      .childChannelOption(.allowRemoteHalfClosure, value: true)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(ControlConnectionHandler(handler: handler))
        }
      }
    // Created with 0600 from the start: the umask decides the mode bind gives it.
    let previous = umask(0o177)
    defer { umask(previous) }
    do {
      channel = try bootstrap.bind(unixDomainSocketPath: path).wait()
    } catch {
      throw ListenError.socket(path: path, reason: EndpointServer.reason(error))
    }
    try? files.setPermissions(0o600, of: path)
  }

  private let lock = NSLock()
  private var closed = false

  /// Idempotent: the socket file goes with the listener.
  public func close() {
    let first = lock.withLock {
      defer { closed = true }
      return !closed
    }
    guard first else { return }
    try? channel.close().wait()
    try? files.remove(path)
  }

  /// Whether something accepts connections on the socket at `path`.
  static func answers(_ path: String) -> Bool {
    guard let fd = try? ControlSocket.connect(path) else { return false }
    Glibc.close(fd)
    return true
  }

  /// The request in a message, or why it cannot be served (another protocol, not a request).
  static func request(from data: Data) -> Result<ControlRequest, ControlError> {
    guard let versions = try? JSONDecoder().decode(ControlVersions.self, from: data) else {
      return .failure(.notARequest)
    }
    guard versions.protocolVersion == ToolVersion.controlProtocol else {
      return .failure(.versionMismatch(client: versions.described, supervisor: ControlVersions.mine))
    }
    guard let envelope = try? JSONDecoder().decode(ControlEnvelope<ControlRequest>.self, from: data), let request = envelope.body else {
      return .failure(.unknownRequest(version: ToolVersion.current))
    }
    return .success(request)
  }
}
