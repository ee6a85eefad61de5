import CArchive
import Foundation
import SynapseLocalSystem

/// Blocks of a file read and hashed on a thread of their own, handed to the writer in order.
final class BlockRing: @unchecked Sendable {
  static let slots = 4
  static let blockSize = 1 << 20
  private let file: any OpenFile
  private let memory = UnsafeMutableRawPointer.allocate(byteCount: BlockRing.slots * BlockRing.blockSize, alignment: 64)
  private var counts = [Int](repeating: 0, count: BlockRing.slots)
  private let free = DispatchSemaphore(value: BlockRing.slots)
  private let filled = DispatchSemaphore(value: 0)
  private let done = DispatchSemaphore(value: 0)
  private let digest = Digest(.sha256)
  private var stop = false
  private var error: String?
  private var slot = 0

  init(file: any OpenFile) { self.file = file }

  deinit { memory.deallocate() }

  func block(_ slot: Int) -> UnsafeMutableRawPointer { memory + slot * Self.blockSize }

  func start() {
    let thread = Thread { [self] in
      var slot = 0
      while true {
        free.wait()
        if stop { break }
        let count: Int
        do {
          count = try file.read(into: UnsafeMutableRawBufferPointer(start: block(slot), count: Self.blockSize))
        } catch {
          self.error = (error as? FileSystemError)?.reason ?? "\(error)"
          count = -1
        }
        if count > 0 { digest.update(UnsafeRawBufferPointer(start: block(slot), count: count)) }
        counts[slot] = max(count, 0)
        filled.signal()
        if count <= 0 { break }
        slot = (slot + 1) % Self.slots
      }
      done.signal()
    }
    thread.start()
  }

  /// The next filled block, or nil at the end of the file.
  func next() -> (Int, Int)? {
    filled.wait()
    let current = slot
    guard counts[current] > 0 else { return nil }
    slot = (slot + 1) % Self.slots
    return (current, counts[current])
  }

  func release(_ slot: Int) { free.signal() }

  /// Stops the reader (if the writer stopped early) and returns the digest and any read error.
  func finish() -> (String, String?) {
    stop = true
    for _ in 0..<Self.slots { free.signal() }
    done.wait()
    return (digest.finish(), error)
  }
}
