import Foundation
import SynapseLocalSystem

/// Chunks gathered across the transport's thread, bounded by what was asked for.
final class ByteCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var storage: [UInt8] = []

  var bytes: [UInt8] { lock.withLock { storage } }

  func append(_ chunk: UnsafeRawBufferPointer, limit: Int) throws {
    try lock.withLock {
      guard storage.count + chunk.count <= limit else {
        throw StoreError.hubError(url: "", status: 206, message: "the server sent more than the range asked for")
      }
      storage.append(contentsOf: chunk)
    }
  }
}
