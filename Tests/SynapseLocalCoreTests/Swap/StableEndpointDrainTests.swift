import Foundation
import NIOCore
import SynapseLocalSystem
import Testing

@testable import SynapseLocalCore

/// The events a swap waits for instead of polling: the endpoint says when an engine's last
/// exchange has ended, and when no request is held any more.
@Suite("stable endpoint: drained and released")
struct StableEndpointDrainTests {
  /// How many times a callback ran (callbacks run on whichever thread ends the count).
  final class Calls: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int { lock.withLock { value } }
    func add() { lock.withLock { value += 1 } }
  }

  func endpoint() throws -> StableEndpoint {
    try StableEndpoint(port: 0, holdLimit: .seconds(1), remoteKey: nil) { nil }
  }

  @Test func drainedIsRaisedOnceWhenTheEnginesLastExchangeEnds() throws {
    let endpoint = try endpoint()
    defer { endpoint.close() }
    let calls = Calls()
    endpoint.sending(toEngine: 9001, 1)
    endpoint.sending(toEngine: 9001, 1)
    endpoint.whenDrained(engine: 9001) { calls.add() }
    // Another engine's exchanges are not this one's.
    endpoint.sending(toEngine: 9002, 1)
    endpoint.sending(toEngine: 9002, -1)
    endpoint.sending(toEngine: 9001, -1)
    #expect(calls.count == 0)
    endpoint.sending(toEngine: 9001, -1)
    #expect(calls.count == 1)
    // Once: a later exchange and its end tell no one.
    endpoint.sending(toEngine: 9001, 1)
    endpoint.sending(toEngine: 9001, -1)
    #expect(calls.count == 1)
    // Nothing under way: at once.
    endpoint.whenDrained(engine: 9003) { calls.add() }
    #expect(calls.count == 2)
  }

  @Test func releasedIsRaisedWhenTheLastHeldRequestLeavesTheHold() throws {
    let endpoint = try endpoint()
    defer { endpoint.close() }
    let calls = Calls()
    endpoint.whenReleased { calls.add() }
    #expect(calls.count == 1, "nothing held: at once")
    endpoint.holdBegan()
    endpoint.holdBegan()
    endpoint.whenReleased { calls.add() }
    endpoint.holdEnded(waited: .milliseconds(5), sent: true)
    #expect(calls.count == 1)
    endpoint.holdEnded(waited: .milliseconds(7), sent: false)
    #expect(calls.count == 2)
    endpoint.holdBegan()
    endpoint.holdEnded(waited: .milliseconds(1), sent: true)
    #expect(calls.count == 2)
  }

  @Test func closingForgetsWhoWaits() throws {
    let endpoint = try endpoint()
    let calls = Calls()
    endpoint.sending(toEngine: 9001, 1)
    endpoint.whenDrained(engine: 9001) { calls.add() }
    endpoint.close()
    endpoint.sending(toEngine: 9001, -1)
    #expect(calls.count == 0)
  }
}
