import Foundation
import SynapseLocalSystem

#if canImport(Glibc)
  import Glibc
#endif

/// The running supervisor's Unix socket in the state folder (mode 0600: only its owner may ask
/// or command). One JSON message per connection each way, in a `ControlEnvelope`.
enum ControlSocket {
  static func path(state: String) -> String { state + "/run/control.sock" }

  static func address(_ path: String) throws -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
      throw ControlError.socketPathTooLong(path: path, bytes: bytes.count)
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (index, byte) in bytes.enumerated() { raw[index] = byte }
    }
    return address
  }

  /// A socket connected to `path`, for the caller to close; nil when nothing accepts there.
  static func connect(_ path: String) throws -> Int32? {
    var address = try address(path)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ControlError.cannotCreateSocket(reason: String(cString: strerror(errno))) }
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else {
      close(fd)
      return nil
    }
    return fd
  }
}
