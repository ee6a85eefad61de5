import Foundation
import SynapseLocalSystem

/// What a detached supervisor tells the `up -d` that started it, one JSON line each on an
/// inherited pipe: each service's state as it changes, then ready or failed. The pipe's end (the
/// supervisor gone) is itself an event: `up -d` never polls.
public enum StartupEvent: Codable, Sendable, Equatable {
  case state(service: ServiceName, state: ServiceStatus.State)
  case ready
  case failed(String)

  /// The environment variable naming the pipe's descriptor in the supervisor.
  public static let descriptorVariable = "SYNAPSE_LOCAL_STARTUP_FD"

  public var line: Data {
    ((try? JSONEncoder().encode(self)) ?? Data()) + Data("\n".utf8)
  }

  /// Writes events to the pipe a detached supervisor inherited (nothing when there is none).
  public final class Writer: @unchecked Sendable {
    private let lock = NSLock()
    private var descriptor: Int32?

    public init(environment: [String: String]) {
      descriptor = environment[StartupEvent.descriptorVariable].flatMap { Int32($0) }.flatMap { fcntl($0, F_GETFD) >= 0 ? $0 : nil }
      // Not for the services' processes.
      if let descriptor { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
    }

    public func send(_ event: StartupEvent) {
      lock.withLock {
        guard let descriptor else { return }
        // A pipe, not a socket: write(2). SIGPIPE is ignored in the supervisor, so a reader that
        // has gone away is an error here, nothing more.
        let bytes = Array(event.line)
        var offset = 0
        while offset < bytes.count {
          let count = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
          if count < 0 && errno == EINTR { continue }
          if count <= 0 { return }
          offset += count
        }
      }
    }

    /// After ready or failed: the reader sees the end.
    public func close() {
      lock.withLock {
        if let descriptor { Glibc.close(descriptor) }
        descriptor = nil
      }
    }
  }

  /// The events read from the pipe's other end, until it closes.
  public static func read(_ descriptor: Int32) -> AsyncStream<StartupEvent> {
    AsyncStream { continuation in
      let thread = Thread {
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
          let count = Glibc.read(descriptor, &buffer, buffer.count)
          if count < 0 && errno == EINTR { continue }
          if count <= 0 { break }
          pending.append(contentsOf: buffer[0..<count])
          while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending[pending.startIndex..<newline]
            pending = Data(pending[pending.index(after: newline)...])
            if let event = try? JSONDecoder().decode(StartupEvent.self, from: line) { continuation.yield(event) }
          }
        }
        Glibc.close(descriptor)
        continuation.finish()
      }
      thread.name = "synapse-local startup"
      thread.start()
    }
  }
}
