import Foundation

/// Swapping a service's engine behind its stable endpoint (hold mode).
extension Supervisor {
  public struct SwapReport: Codable, Sendable, Equatable {
    public var service: ServiceName
    public var model: String?
    public var mode: String
    /// From the request to the new engine taking requests.
    public var switchMilliseconds: Int
    public var heldRequests: Int
    public var longestWaitMilliseconds: Int

    enum CodingKeys: String, CodingKey {
      case service, model, mode
      case switchMilliseconds = "switch_ms"
      case heldRequests = "held_requests"
      case longestWaitMilliseconds = "longest_wait_ms"
    }
  }

  /// Replaces a service's engine with `replacement` in hold mode: new requests are held at the
  /// stable endpoint, those under way finish on the old engine, the old one stops, the new one
  /// starts, and the held requests go to it once it is healthy. A replacement that does not become
  /// healthy is stopped and the old engine started again, so the service keeps its model.
  public func swap(to replacement: ServiceSpec, drainSeconds: Double = 60) async throws -> SwapReport {
    let name = replacement.name
    guard let index = specs.firstIndex(where: { $0.name == name }), let endpoint = endpoints[name] else {
      throw StackError.control("\(name.rawValue) has no stable endpoint to swap behind")
    }
    let old = specs[index]
    let before = endpoint.statistics
    let began = ContinuousClock.now
    ready.set(name, nil)
    // Requests under way finish on the old engine.
    let drainDeadline = Date().addingTimeInterval(drainSeconds)
    while endpoint.inFlight > 0 && Date() < drainDeadline { try await Task.sleep(for: .milliseconds(50)) }
    await retire(name)
    specs[index] = replacement
    records[name]?.restarts = 0
    records[name]?.quickExits = 0
    launch(replacement)
    do {
      try await waitUntilHealthy(replacement)
    } catch {
      await retire(name)
      specs[index] = old
      records[name]?.quickExits = 0
      launch(old)
      try? await waitUntilHealthy(old)
      throw StackError.control("the swap to \(replacement.model ?? name.rawValue) failed, and \(old.model ?? name.rawValue) serves again: \(error)")
    }
    let elapsed = ContinuousClock.now - began
    let after = endpoint.statistics
    return SwapReport(
      service: name, model: replacement.model, mode: "hold",
      switchMilliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
      heldRequests: after.held - before.held, longestWaitMilliseconds: after.longestWaitMilliseconds)
  }

  /// Ends a service's current run for good (no restart), waiting until its processes are gone.
  func retire(_ name: ServiceName) async {
    records[name]?.retiring = true
    records[name]?.monitor?.cancel()
    if let pid = records[name]?.keeperPID { kill(pid, SIGTERM) }
    await records[name]?.runner?.value
    records[name]?.retiring = false
    records[name]?.runner = nil
    records[name]?.state = .stopped
    ready.set(name, nil)
  }
}
