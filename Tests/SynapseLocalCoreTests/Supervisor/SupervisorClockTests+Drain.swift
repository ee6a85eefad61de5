import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// A side-by-side swap's drain on the manual clock: the old engine stops when the endpoint says
/// its last exchange has ended, or at the drain limit, never by a poll.
extension SupervisorClockTests {
  /// Started with smollm2 on engine port 9001, an exchange under way with it, and a side-by-side
  /// swap to gemma (9002) switched and draining.
  func draining(drainSeconds: Double) async throws -> (Supervisor, StableEndpoint, Task<SwapReport, any Error>) {
    let port = try Loopback.freePort()
    let supervisor = supervisor([engine("smollm2", enginePort: 9001, port: port)])
    try await start(supervisor).value
    let endpoint = try #require(await supervisor.endpoints[.llm])
    endpoint.sending(toEngine: 9001, 1)
    let swapping = Task {
      try await supervisor.swap(to: engine("gemma", enginePort: 9002, port: port), mode: .sideBySide, drainSeconds: drainSeconds)
    }
    try await settle("the candidate's launch") { launcher.launches.count == 2 }
    // Both monitors and the candidate's readiness limit.
    try await advance(0.5, once: 3)
    try await settle("draining") { await supervisor.status().swap?.phase == .draining }
    // New requests go to gemma; smollm2 runs on for the exchange it has.
    #expect(endpoint.route()?.port == 9002)
    return (supervisor, endpoint, swapping)
  }

  @Test(.timeLimit(.minutes(1))) func theOldEngineStopsWhenTheEndpointSaysItsLastExchangeEnded() async throws {
    let (supervisor, endpoint, swapping) = try await draining(drainSeconds: 60)
    let old = launcher.launches[0].pid
    try await Task.sleep(for: .milliseconds(20))
    #expect(launcher.runningPIDs.contains(old))
    endpoint.sending(toEngine: 9001, -1)
    let report = try await swapping.value
    #expect(report.model == "gemma" && report.mode == .sideBySide)
    #expect(launcher.runningPIDs == [launcher.launches[1].pid])
    #expect(await supervisor.status().swap == nil)
    await supervisor.stop()
  }

  @Test(.timeLimit(.minutes(1))) func anOldEngineThatNeverDrainsIsStoppedAtTheDrainLimit() async throws {
    let (supervisor, _, swapping) = try await draining(drainSeconds: 30)
    let old = launcher.launches[0].pid
    // The candidate's monitor and the drain limit.
    try await advance(29, once: 2)
    try await Task.sleep(for: .milliseconds(20))
    #expect(launcher.runningPIDs.contains(old))
    try await advance(1, once: 2)
    let report = try await swapping.value
    #expect(report.model == "gemma")
    #expect(!launcher.runningPIDs.contains(old))
    await supervisor.stop()
  }
}
