import Foundation

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
      throw StackError.control(
        "the control socket path is too long (\(bytes.count) bytes): \(path); use a shorter project path or paths.state")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (index, byte) in bytes.enumerated() { raw[index] = byte }
    }
    return address
  }
}
