import Foundation
import NIOCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The endpoint tells the supervisor of its activity only for an engine that unloads when idle,
/// and once for any number of changes before the supervisor reads them: two hops to the
/// supervisor per request cost a quarter of its time at one connection.
@Suite("endpoint activity", .tags(.integration))
struct EndpointActivityTests {
  final class Calls: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
  }

  func request(_ endpoint: StableEndpoint) {
    endpoint.began()
    endpoint.ended(code: 200, since: .now(), replayed: false)
  }

  @Test func activityIsToldOnlyWhileReportedAndOnceUntilRead() throws {
    let endpoint = try StableEndpoint(port: try Loopback.freePort(), holdLimit: .milliseconds(100)) { nil }
    defer { endpoint.close() }
    let calls = Calls()
    endpoint.observeActivity { calls.add() }

    // No idle unloading: requests come and go unheard, though still counted.
    for _ in 0..<5 { request(endpoint) }
    #expect(calls.count == 0)
    #expect(endpoint.takeActivity() == (generation: 10, inFlight: 0))

    // Turned on: true only the first time.
    #expect(endpoint.reportActivity(true))
    #expect(!endpoint.reportActivity(true))
    endpoint.began()
    #expect(calls.count == 1)
    // More changes before the reading: no more calls, and the reading sees them all.
    endpoint.ended(code: 200, since: .now(), replayed: false)
    request(endpoint)
    #expect(calls.count == 1)
    #expect(endpoint.takeActivity() == (generation: 14, inFlight: 0))
    // After the reading, the next change is told again.
    endpoint.began()
    #expect(calls.count == 2)
    #expect(endpoint.takeActivity() == (generation: 15, inFlight: 1))
    endpoint.ended(code: 200, since: .now(), replayed: false)
    #expect(calls.count == 3)

    // Turned off: nothing more, even with a reading taken.
    _ = endpoint.takeActivity()
    #expect(!endpoint.reportActivity(false))
    for _ in 0..<3 { request(endpoint) }
    #expect(calls.count == 3)
  }
}
