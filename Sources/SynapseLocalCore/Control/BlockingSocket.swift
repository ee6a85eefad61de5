import SynapseLocalSystem

#if canImport(Glibc)
  import Glibc
#endif

/// A command's side of the control socket is one blocking exchange: no event loop is worth
/// starting for it. Writes use MSG_NOSIGNAL: a supervisor that hangs up must end the command
/// with an error, not kill it with SIGPIPE.
enum BlockingSocket {
  static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
    var offset = bytes.startIndex
    while offset < bytes.endIndex {
      let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      offset += n
    }
    return true
  }
}
