import Foundation

/// Reads one HTTP/1.1 request from a client socket for the stable endpoint: the head, then the
/// whole body (by Content-Length, or chunked and decoded), with the limits a relay needs.
enum HTTPRequestReader {
  /// The request head and its whole body (Content-Length, or chunked, which is decoded).
  /// `admit` sees the head before any of the body is read; false ends the exchange (nil).
  /// `headDeadline`: the whole head must have come by then.
  static func read(
    _ client: Int32, headDeadline: ContinuousClock.Instant? = nil, admit: (HTTPRequestHead) -> Bool = { _ in true }
  ) -> (HTTPRequestHead, [UInt8])? {
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    let terminator: [UInt8] = [13, 10, 13, 10]
    var headEnd: Int?
    while headEnd == nil {
      // (The socket's timeout applies per read: a client trickling bytes meets this one.)
      if let headDeadline, ContinuousClock.now > headDeadline { return nil }
      let n = SocketIO.readSome(client, &buffer)
      guard n > 0 else { return nil }
      data += buffer[0..<n]
      headEnd = find(terminator, in: data)
      if headEnd == nil && data.count > 64 << 10 { return nil }
    }
    guard let end = headEnd, let head = HTTPRequestHead(data[..<end]), admit(head) else { return nil }
    var rest = Array(data[(end + 4)...])
    if let length = head.header("Content-Length").flatMap(Int.init) {
      guard length >= 0, length <= 64 << 20 else { return nil }
      while rest.count < length {
        let n = SocketIO.readSome(client, &buffer)
        guard n > 0 else { return nil }
        rest += buffer[0..<n]
      }
      return (head, Array(rest.prefix(length)))
    }
    if head.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
      var head = head
      head.headers.removeAll { $0.name.lowercased() == "transfer-encoding" }
      head.headers.append(("Content-Length", "0"))
      guard let body = dechunk(&rest, client: client) else { return nil }
      return (head, body)
    }
    return (head, [])
  }

  /// Decodes a chunked body, reading more from the client as needed.
  static func dechunk(_ pending: inout [UInt8], client: Int32) -> [UInt8]? {
    var body: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    func more() -> Bool {
      let n = SocketIO.readSome(client, &buffer)
      guard n > 0 else { return false }
      pending += buffer[0..<n]
      return true
    }
    while true {
      while find([13, 10], in: pending) == nil { guard more() else { return nil } }
      guard let lineEnd = find([13, 10], in: pending),
        let size = Int(String(decoding: pending[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16)
      else { return nil }
      pending.removeFirst(lineEnd + 2)
      // A negative or oversized chunk is malformed: refused before it is used as an index.
      guard size >= 0, size <= (64 << 20) - body.count else { return nil }
      if size == 0 { return body }
      while pending.count < size + 2 { guard more() else { return nil } }
      body += pending[..<size]
      pending.removeFirst(size + 2)
      if body.count > 64 << 20 { return nil }
    }
  }

  static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    outer: for index in 0...(haystack.count - needle.count) {
      for offset in needle.indices where haystack[index + offset] != needle[offset] { continue outer }
      return index
    }
    return nil
  }
}
