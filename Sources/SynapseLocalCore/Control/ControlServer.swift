import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The supervisor's side: a thread accepting connections and a handler that answers each.
public final class ControlServer: @unchecked Sendable {
  let path: String
  let descriptor: Int32
  let handler: @Sendable (ControlRequest) async -> ControlReply

  public init(state: String, handler: @escaping @Sendable (ControlRequest) async -> ControlReply) throws {
    let path = ControlSocket.path(state: state)
    self.path = path
    self.handler = handler
    // A socket that still answers belongs to a running supervisor (of any version): never take it.
    if Self.answers(path) {
      throw StackError.control(
        "another supervisor answers on \(path): stop it first (`synapse-local down`, with the binary that started it)")
    }
    unlink(path)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw StackError.control("cannot create the control socket: \(String(cString: strerror(errno)))") }
    var address = try ControlSocket.address(path)
    // Created with 0600 from the start: the umask decides the mode bind gives it.
    let previous = umask(0o177)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    umask(previous)
    guard bound == 0, listen(fd, 16) == 0 else {
      Glibc.close(fd)
      throw StackError.control("cannot listen on \(path): \(String(cString: strerror(errno)))")
    }
    chmod(path, 0o600)
    descriptor = fd
    let thread = Thread { [self] in acceptLoop() }
    thread.name = "synapse-local control"
    thread.start()
  }

  private let lock = NSLock()
  private var closed = false

  /// Idempotent: a second close must not close a descriptor number another thread has since been
  /// given (a pipe of a child process, say).
  public func close() {
    let first = lock.withLock {
      defer { closed = true }
      return !closed
    }
    guard first else { return }
    shutdown(descriptor, Int32(SHUT_RDWR))
    Glibc.close(descriptor)
    unlink(path)
  }

  func acceptLoop() {
    while !lock.withLock({ closed }) {
      let client = accept(descriptor, nil, nil)
      if client < 0 {
        if errno == EINTR { continue }
        return
      }
      if lock.withLock({ closed }) {
        Glibc.close(client)
        return
      }
      let handler = self.handler
      // Blocking reads on a thread of their own, with a limit: an idle client must not hold one of
      // the few threads Swift concurrency runs the supervision on.
      var limit = timeval(tv_sec: 5, tv_usec: 0)
      setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
      setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
      Thread.detachNewThread {
        defer { Glibc.close(client) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count < 65536 {
          let n = read(client, &buffer, buffer.count)
          if n <= 0 { break }
          data.append(contentsOf: buffer[0..<n])
          if data.contains(UInt8(ascii: "\n")) { break }
        }
        let envelope: ControlEnvelope<ControlReply>
        switch Self.request(from: data) {
        case .success(let request):
          let box = ReplyBox()
          let done = DispatchSemaphore(value: 0)
          Task {
            box.value = await handler(request)
            done.signal()
          }
          done.wait()
          let reply = box.value ?? .refused("no answer")
          // A refusal also fills `error`, which is all a protocol 1 client reads.
          if case .refused(let reason) = reply {
            envelope = ControlEnvelope(body: reply, error: reason)
          } else {
            envelope = ControlEnvelope(body: reply)
          }
        case .failure(let problem):
          envelope = ControlEnvelope(body: .refused(problem.description), error: problem.description)
        }
        let reply = envelope
        // MSG_NOSIGNAL: a client that gave up must not take the supervisor down with SIGPIPE.
        if let answer = try? JSONEncoder().encode(reply) { _ = SocketIO.writeAll(client, Array(answer)[...]) }
      }
    }
  }

  /// Whether something accepts connections on the socket at `path`.
  static func answers(_ path: String) -> Bool {
    guard let fd = try? ControlSocket.connect(path) else { return false }
    Glibc.close(fd)
    return true
  }

  /// The request in a message, or why it cannot be served (another protocol, not a request).
  static func request(from data: Data) -> Result<ControlRequest, StackError> {
    guard let versions = try? JSONDecoder().decode(ControlVersions.self, from: data) else {
      return .failure(.control("not a control request"))
    }
    guard versions.protocolVersion == ToolVersion.controlProtocol else {
      return .failure(.control(ControlVersions.mismatch(client: versions.described, supervisor: ControlVersions.mine)))
    }
    guard let envelope = try? JSONDecoder().decode(ControlEnvelope<ControlRequest>.self, from: data), let request = envelope.body else {
      return .failure(.control("not a control request this supervisor knows (synapse-local \(ToolVersion.current))"))
    }
    return .success(request)
  }
}

/// The handler's answer, handed from its task to the connection's thread.
final class ReplyBox: @unchecked Sendable {
  var value: ControlReply?
}
