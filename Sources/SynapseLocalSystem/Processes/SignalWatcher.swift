import Dispatch
import Foundation

/// Turns signals into a callback while it lives. After `cancel`, a signal that no other watcher
/// takes has its default action again (Ctrl-C ends the program).
///
/// libdispatch installs its own process-wide handler the first time a signal gets a source, and
/// does not install it again for a later source, so dispositions cannot be handed back and forth.
/// One source per signal therefore lives for the whole process, and the watchers register with it.
public final class SignalWatcher: @unchecked Sendable {
  let id = UUID()
  let signals: [Int32]

  public init(_ signals: [Int32], _ handler: @escaping @Sendable () -> Void) {
    self.signals = signals
    SignalRegistry.shared.add(id, signals, handler)
  }

  public func cancel() {
    SignalRegistry.shared.remove(id)
  }
}
