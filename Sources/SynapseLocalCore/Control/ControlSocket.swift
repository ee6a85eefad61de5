import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The running supervisor's Unix socket in the state folder (mode 0600: only its owner may ask
/// or command). One JSON request per connection, one JSON answer.
public enum ControlSocket {
  public struct Request: Codable, Sendable {
    public var command: String
    public var service: String?
    /// For `swap`: the new model's REF, and its flags.
    public var model: String?
    public var hold: Bool?
    public var allowDimensionChange: Bool?

    public init(command: String, service: String? = nil, model: String? = nil, hold: Bool? = nil, allowDimensionChange: Bool? = nil) {
      self.command = command
      self.service = service
      self.model = model
      self.hold = hold
      self.allowDimensionChange = allowDimensionChange
    }
  }

  public struct Reply: Codable, Sendable {
    public var ok: Bool
    public var error: String?
    public var status: StackStatus?
    public var swap: SwapReport?
    public var plan: SwapPlan?

    public init(ok: Bool, error: String? = nil, status: StackStatus? = nil, swap: SwapReport? = nil, plan: SwapPlan? = nil) {
      self.ok = ok
      self.error = error
      self.status = status
      self.swap = swap
      self.plan = plan
    }
  }

  public static func path(state: String) -> String { state + "/run/control.sock" }

  static func address(_ path: String) throws -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
      throw StackError.control("the control socket path is too long (\(bytes.count) bytes): \(path); use a shorter project path or paths.state")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (index, byte) in bytes.enumerated() { raw[index] = byte }
    }
    return address
  }

  /// Sends one request to the supervisor of `state`; `notRunning` when none answers.
  public static func send(_ request: Request, state: String, project: String, timeout: Double = 30) throws -> Reply {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw StackError.control("cannot create a socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = try address(path(state: state))
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else { throw StackError.notRunning(project: project) }
    var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    let data = try JSONEncoder().encode(request) + Data("\n".utf8)
    guard SocketIO.writeAll(fd, Array(data)[...]) else { throw StackError.control("the supervisor closed the connection") }
    shutdown(fd, Int32(SHUT_WR))
    var answer = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = read(fd, &buffer, buffer.count)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      answer.append(contentsOf: buffer[0..<n])
    }
    guard let reply = try? JSONDecoder().decode(Reply.self, from: answer) else {
      throw StackError.control("the supervisor gave no answer (it may be stopping); try again")
    }
    return reply
  }
}

/// The supervisor's side: a thread accepting connections and a handler that answers each.
public final class ControlServer: @unchecked Sendable {
  let path: String
  let descriptor: Int32
  let handler: @Sendable (ControlSocket.Request) async -> ControlSocket.Reply

  public init(path: String, handler: @escaping @Sendable (ControlSocket.Request) async -> ControlSocket.Reply) throws {
    self.path = path
    self.handler = handler
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
        let reply: ControlSocket.Reply
        if let request = try? JSONDecoder().decode(ControlSocket.Request.self, from: data) {
          let box = ReplyBox()
          let done = DispatchSemaphore(value: 0)
          Task {
            box.value = await handler(request)
            done.signal()
          }
          done.wait()
          reply = box.value ?? ControlSocket.Reply(ok: false, error: "no answer")
        } else {
          reply = ControlSocket.Reply(ok: false, error: "not a request")
        }
        // MSG_NOSIGNAL: a client that gave up must not take the supervisor down with SIGPIPE.
        if let answer = try? JSONEncoder().encode(reply) { _ = SocketIO.writeAll(client, Array(answer)[...]) }
      }
    }
  }
}

/// The handler's answer, handed from its task to the connection's thread.
final class ReplyBox: @unchecked Sendable {
  var value: ControlSocket.Reply?
}
