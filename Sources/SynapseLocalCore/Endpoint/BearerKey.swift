import Foundation
import NIOCore
import NIOHTTP1
import Prometheus
import SynapseLocalSystem

/// `Authorization: Bearer <key>`, compared in constant time.
enum BearerKey {
  static func matches(_ value: String?, key: String) -> Bool {
    guard let value, value.lowercased().hasPrefix("bearer ") else { return false }
    let sent = Array(value.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8)
    let expected = Array(key.utf8)
    guard sent.count == expected.count else { return false }
    return zip(sent, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
  }
}
