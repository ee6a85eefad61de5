import Foundation

/// The head of an HTTP/1.1 request as the stable endpoint needs it: enough to forward it unchanged
/// and to know where its body ends.
struct HTTPRequestHead {
  var method: String
  var target: String
  var version: String
  /// In their order, names as sent.
  var headers: [(name: String, value: String)]

  func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  /// Parses "METHOD TARGET VERSION\r\nName: value\r\n...\r\n\r\n" (the terminator excluded).
  init?(_ bytes: ArraySlice<UInt8>) {
    let text = String(decoding: bytes, as: UTF8.self)
    var lines = text.components(separatedBy: "\r\n")
    let request = lines.removeFirst().split(separator: " ", maxSplits: 2).map(String.init)
    guard request.count == 3, request[2].hasPrefix("HTTP/1.") else { return nil }
    (method, target, version) = (request[0], request[1], request[2])
    var headers: [(String, String)] = []
    for line in lines where !line.isEmpty {
      guard let colon = line.firstIndex(of: ":") else { return nil }
      headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
    self.headers = headers
  }

  /// The head to send upstream: unchanged but for `Connection: close` (one exchange per
  /// connection, so the end of the answer is the end of the connection) and the body's new length.
  func forwarded(bodyLength: Int?) -> [UInt8] {
    var text = "\(method) \(target) \(version)\r\n"
    for (name, value) in headers {
      let lower = name.lowercased()
      if lower == "connection" || lower == "keep-alive" || lower == "proxy-connection" { continue }
      if lower == "content-length", let bodyLength {
        text += "\(name): \(bodyLength)\r\n"
        continue
      }
      text += "\(name): \(value)\r\n"
    }
    text += "Connection: close\r\n\r\n"
    return Array(text.utf8)
  }
}
