import Foundation
import SynapseLocalSystem

/// Keeps the disk writing a download while it arrives. Each `step` written is handed to the disk
/// at once (`startWriteback`), and the step before it waited for, so at most two steps are dirty
/// and the fsync before the rename finds little left: after a download left in the page cache, that
/// fsync took 1.45 s per GiB, a third of the pull. (`fdatasync` every 256 MiB, tried before, stopped
/// the transfer for each whole flush: slower.)
struct WritebackWindow {
  /// 16 MiB: large enough for the disk to write in big requests, small enough that the wait on the
  /// step before finds it done while the network runs at the disk's speed or slower.
  static let defaultStep: UInt64 = 16 << 20
  let step: UInt64
  /// Bytes before this offset are handed to the disk; before `waited`, written back too.
  private(set) var started: UInt64
  private(set) var waited: UInt64

  /// `from`: where the writes begin (bytes before, from an earlier run, are left to the final sync).
  init(from offset: UInt64, step: UInt64 = WritebackWindow.defaultStep) {
    self.step = max(step, 1)
    started = offset
    waited = offset
  }

  /// Called after each write; `written`: the file's length now.
  mutating func advance(_ file: any OpenFile, written: UInt64) {
    guard written >= started + step else { return }
    file.startWriteback(offset: started, length: written - started)
    if started > waited { file.awaitWriteback(offset: waited, length: started - waited) }
    waited = started
    started = written
  }
}
