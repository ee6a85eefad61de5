import Dispatch
import Foundation

/// Turns signals into a callback (the default action is replaced for as long as it lives).
public final class SignalWatcher: @unchecked Sendable {
  let sources: [any DispatchSourceSignal]

  public init(_ signals: [Int32], _ handler: @escaping @Sendable () -> Void) {
    sources = signals.map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler(handler: handler)
      source.resume()
      return source
    }
  }

  public func cancel() {
    for source in sources { source.cancel() }
  }
}
