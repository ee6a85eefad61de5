/// The parts of a long-running program (sockets, a signal watcher, a pid file, a supervisor),
/// started in order and stopped in reverse order: after the body, when it throws, when a later
/// part fails to start, and when the task is cancelled. A small equivalent of
/// swift-service-lifecycle's `ServiceGroup`, which this package does not depend on.
public struct ServiceGroup: Sendable {
  /// One part: `start` brings it up and returns what stops it.
  public struct Part: Sendable {
    public var name: String
    public var start: @Sendable () async throws -> @Sendable () async -> Void

    public init(_ name: String, start: @escaping @Sendable () async throws -> @Sendable () async -> Void) {
      self.name = name
      self.start = start
    }
  }

  public var parts: [Part]

  public init(_ parts: [Part]) {
    self.parts = parts
  }

  /// Starts every part in order, runs `body`, then stops the started parts in reverse order.
  /// Stopping finishes even when the task was cancelled. A part that fails to start, or a
  /// cancellation before every part has started, stops those already started and throws.
  public func run<T>(_ body: () async throws -> T) async throws -> T {
    var stops: [@Sendable () async -> Void] = []
    do {
      for part in parts {
        try Task.checkCancellation()
        stops.append(try await part.start())
      }
    } catch {
      await Self.stop(stops)
      throw error
    }
    do {
      let result = try await body()
      await Self.stop(stops)
      return result
    } catch {
      await Self.stop(stops)
      throw error
    }
  }

  /// In reverse order, in a task the caller's cancellation does not reach.
  static func stop(_ stops: [@Sendable () async -> Void]) async {
    let ordered = Array(stops.reversed())
    await Task.detached {
      for stop in ordered { await stop() }
    }.value
  }
}
