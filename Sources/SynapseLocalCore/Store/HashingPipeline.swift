import Foundation
import SynapseLocalSystem

/// Hashes a download on its own thread, in order, while the transfer thread keeps receiving and
/// writing, so the SHA-256 (about 1 s per GiB) overlaps the transfer instead of following it.
/// (Starting writeback with `fdatasync` every 256 MiB from here was measured too: slower; the
/// writeback that stayed is `WritebackWindow`'s.)
final class HashingPipeline: @unchecked Sendable {
  private let condition = NSCondition()
  private var queue: [[UInt8]] = []
  private var queuedBytes = 0
  private var closed = false
  private var done = false
  /// Memory the transfer may run ahead of the hash.
  private let limit = 32 << 20
  private let digests: [Digest]

  init(digests: [Digest]) {
    self.digests = digests
    // The thread keeps the pipeline alive until finish() lets it end.
    let thread = Thread { self.run() }
    thread.name = "synapse-local hashing"
    thread.start()
  }

  /// Copies the chunk (the transport reuses its buffer) and queues it; waits while the hash is
  /// `limit` bytes behind.
  func submit(_ chunk: UnsafeRawBufferPointer) {
    let copy = [UInt8](chunk)
    condition.lock()
    while queuedBytes >= limit && !done { condition.wait() }
    queue.append(copy)
    queuedBytes += copy.count
    condition.broadcast()
    condition.unlock()
  }

  /// Waits until every queued byte is hashed; the digests are then final.
  func finish() {
    condition.lock()
    closed = true
    condition.broadcast()
    while !done { condition.wait() }
    condition.unlock()
  }

  private func run() {
    while true {
      condition.lock()
      while queue.isEmpty && !closed { condition.wait() }
      if queue.isEmpty && closed {
        done = true
        condition.broadcast()
        condition.unlock()
        return
      }
      let batch = queue
      queue.removeAll(keepingCapacity: true)
      queuedBytes -= batch.reduce(0) { $0 + $1.count }
      condition.broadcast()
      condition.unlock()
      for chunk in batch {
        chunk.withUnsafeBytes { raw in
          for digest in digests { digest.update(raw) }
        }
      }
    }
  }
}
