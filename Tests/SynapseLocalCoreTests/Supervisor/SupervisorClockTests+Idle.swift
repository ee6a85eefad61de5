import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Idle unload on the manual clock: the supervisor stops an engine whose endpoint has had no
/// request for its idle period, starts it once for the requests that come next, and a swap of an
/// idle engine starts nothing.
extension SupervisorClockTests {
  func idleEngine(_ model: String, enginePort: Int, port: Int, preload: Bool) -> ServiceSpec {
    var spec = engine(model, enginePort: enginePort, port: port)
    spec.idleAfter = .seconds(3)
    spec.preload = preload
    return spec
  }

  @Test(.timeLimit(.minutes(1))) func anIdleEngineIsStoppedAndManyRequestsWakeItOnce() async throws {
    let port = try Loopback.freePort()
    let supervisor = supervisor([idleEngine("smollm2", enginePort: 9001, port: port, preload: true)])
    try await start(supervisor).value
    let engine = launcher.launches[0].pid
    // Its health monitor and its idle period.
    try await advance(2.9, once: 2)
    try await Task.sleep(for: .milliseconds(20))
    #expect(launcher.runningPIDs == [engine], "unloaded before its idle period ended")
    clock.advance(by: 0.1)
    try await settle("idle") { await supervisor.status().services[0].state == .idle }
    #expect(launcher.runningPIDs.isEmpty && launcher.signals.map(\.signal) == [SIGTERM])
    var status = await supervisor.status().services[0]
    #expect(status.pid == nil && status.crashes == 0 && status.restarts == 0 && status.wakes == 0)

    // Five requests arrive at the endpoint: one start.
    let endpoint = try #require(await supervisor.endpoints[.llm])
    for _ in 0..<5 { endpoint.began() }
    try await settle("the wake") { launcher.launches.count == 2 }
    try await Task.sleep(for: .milliseconds(20))
    #expect(launcher.launches.count == 2)
    try await advance(2.5)
    try await settle("healthy") { await supervisor.status().services[0].state == .healthy }
    status = await supervisor.status().services[0]
    #expect(status.wakes == 1 && status.crashes == 0 && status.restarts == 0)
    #expect(endpoint.route()?.port == 9001)
    await supervisor.stop()
  }

  @Test(.timeLimit(.minutes(1))) func upLeavesAnIdleEngineUnloadedAndASwapOfItStartsNothing() async throws {
    let port = try Loopback.freePort()
    let supervisor = supervisor([idleEngine("smollm2", enginePort: 9001, port: port, preload: false)])
    try await supervisor.start()
    #expect(launcher.launches.isEmpty)
    #expect(await supervisor.status().services[0].state == .idle)

    let report = try await supervisor.swap(to: idleEngine("gemma", enginePort: 9002, port: port, preload: false), mode: .sideBySide)
    #expect(report.model == "gemma" && report.from == "smollm2" && report.loadMilliseconds == 0)
    #expect(report.warnings == ["llm is idle (unloaded for want of requests): gemma loads when the next request comes"])
    let status = await supervisor.status()
    #expect(launcher.launches.isEmpty && status.services[0].state == .idle && status.services[0].model == "gemma")
    #expect(status.lastSwap == report && status.swap == nil)

    // The next request loads the new model.
    try #require(await supervisor.endpoints[.llm]).began()
    try await settle("the wake") { launcher.launches.count == 1 }
    #expect(launcher.launches[0].command.arguments.contains("9002"))
    await supervisor.stop()
  }
}
