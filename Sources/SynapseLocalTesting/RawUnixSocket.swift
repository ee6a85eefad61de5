import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Bytes over a Unix socket with no protocol of ours: for speaking to the control socket as an
/// older client would, or answering as an older supervisor did.
public enum RawUnixSocket {
  static func address(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
    }
    return address
  }

  static func readAll(_ fd: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = read(fd, &buffer, buffer.count)
      if count <= 0 { break }
      data.append(contentsOf: buffer[0..<count])
    }
    return data
  }

  /// Sends `bytes`, closes the sending side, returns everything answered.
  public static func exchange(_ path: String, _ bytes: Data) throws -> Data {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = address(path)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else { throw TestFailure("cannot connect to \(path)") }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    shutdown(fd, Int32(SHUT_WR))
    return readAll(fd)
  }

  /// A server on `path` that reads one request and answers `reply`, on a thread of its own.
  public final class OneShot: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    /// Returns once the exchange is over.
    public func wait() { done.wait() }
  }

  public static func serveOnce(_ path: String, reply: Data) throws -> OneShot {
    unlink(path)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = address(path)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard bound == 0, listen(fd, 1) == 0 else { throw TestFailure("cannot listen on \(path)") }
    let server = OneShot()
    Thread.detachNewThread {
      let client = accept(fd, nil, nil)
      if client >= 0 {
        var buffer = [UInt8](repeating: 0, count: 65536)
        _ = read(client, &buffer, buffer.count)
        _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        close(client)
      }
      close(fd)
      unlink(path)
      server.done.signal()
    }
    return server
  }

  /// A server on `path` answering each request with `answer(request)` on a thread of its own,
  /// until `close()`: a supervisor's socket without the supervisor, whose answers would need a
  /// thread of the task pool that a blocking client in the same process may hold.
  public final class Responder: @unchecked Sendable {
    let fd: Int32
    let done = DispatchSemaphore(value: 0)
    init(fd: Int32) { self.fd = fd }

    /// Stops accepting and waits for the thread to end.
    public func close() {
      shutdown(fd, Int32(SHUT_RDWR))
      done.wait()
    }
  }

  public static func serve(_ path: String, answer: @escaping @Sendable (Data) -> Data) throws -> Responder {
    unlink(path)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = address(path)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard bound == 0, listen(fd, 8) == 0 else { throw TestFailure("cannot listen on \(path)") }
    let server = Responder(fd: fd)
    Thread.detachNewThread {
      while true {
        let client = accept(fd, nil, nil)
        if client < 0 { break }
        let reply = answer(readAll(client))
        _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        Glibc.close(client)
      }
      Glibc.close(fd)
      unlink(path)
      server.done.signal()
    }
    return server
  }
}
