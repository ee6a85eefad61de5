import Dispatch
import Foundation

/// The one dispatch source per signal, and the watchers listening to it.
final class SignalRegistry: @unchecked Sendable {
  static let shared = SignalRegistry()
  private let lock = NSLock()
  private var sources: [Int32: any DispatchSourceSignal] = [:]
  private var watchers: [(id: UUID, signals: [Int32], handler: @Sendable () -> Void)] = []

  func add(_ id: UUID, _ signals: [Int32], _ handler: @escaping @Sendable () -> Void) {
    lock.withLock {
      watchers.append((id, signals, handler))
      for number in signals where sources[number] == nil {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { [unowned self] in self.deliver(number) }
        source.resume()
        sources[number] = source
      }
    }
  }

  func remove(_ id: UUID) {
    lock.withLock { watchers.removeAll { $0.id == id } }
  }

  /// To every watcher of the signal; with none, the default action: the program ends by it.
  func deliver(_ number: Int32) {
    let handlers = lock.withLock { watchers.filter { $0.signals.contains(number) }.map(\.handler) }
    guard handlers.isEmpty else {
      for handler in handlers { handler() }
      return
    }
    signal(number, SIG_DFL)
    // To the process, not this thread: dispatch's threads block signals.
    kill(getpid(), number)
  }
}
