import Foundation

/// The machine's ports: bound and probed for real, their owners read from `/proc`.
public struct LoopbackPorts: Ports {
  /// Where a taken port's owner is looked up. The ports are the real machine's, so this is the
  /// real `/proc`, whatever `SYNAPSE_LOCAL_SYSROOT` says.
  public var table: ProcessTable

  public init(table: ProcessTable) {
    self.table = table
  }

  public func freePort() throws -> Int {
    let (fd, port) = try Self.bindLoopback()
    close(fd)
    return port
  }

  /// A socket bound to 127.0.0.1 on a port the kernel chose, and that port; the caller closes it.
  public static func bindLoopback() throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SystemCallError.errno("create a socket") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard ok else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw SystemCallError(action: "find a free port", reason: reason)
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
  }

  public func owner(of port: Int) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var reuse: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if bound == 0 { return nil }
    return table.listener(port: port) ?? ""
  }
}
