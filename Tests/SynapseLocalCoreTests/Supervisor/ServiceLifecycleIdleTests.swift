import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// Idle unload and wake, one transition at a time: the idle period runs from the last request's
/// end, never while one is under way; a request wakes an idle service once, however many come.
@Suite("service lifecycle: idle")
struct ServiceLifecycleIdleTests {
  let t0 = Date(timeIntervalSince1970: 1_800_000_000)

  func lifecycle(idleAfter: Duration? = .seconds(3), preload: Bool = false) -> ServiceLifecycle {
    var policy = ServiceLifecycle.Policy()
    policy.idleAfter = idleAfter
    policy.preload = preload
    return ServiceLifecycle(policy: policy)
  }

  /// Booted with preload, spawned as run 1 (keeper pid 100), healthy at t0 + 2 s: its first idle
  /// period (timer 1) runs.
  func serving() -> ServiceLifecycle {
    var service = lifecycle(preload: true)
    _ = service.handle(.boot, at: t0)
    _ = service.handle(.spawned(run: 1, pid: 100), at: t0)
    _ = service.handle(.health(run: 1, passed: true), at: t0 + 2)
    return service
  }

  @Test func withoutPreloadUpLeavesItIdleAndTheFirstRequestWakesIt() {
    var service = lifecycle()
    #expect(service.handle(.boot, at: t0) == [.settled])
    #expect(service.phase == .idle && service.state == .idle && service.pid == nil)
    // The first request starts it, once: more requests while it loads start nothing more.
    #expect(service.handle(.busy, at: t0 + 10) == [.spawn(run: 1)])
    #expect(service.handle(.busy, at: t0 + 10.1).isEmpty)
    #expect(service.wakes == 1 && service.state == .starting)
    _ = service.handle(.spawned(run: 1, pid: 100), at: t0 + 10)
    // Healthy while the requests wait: no idle period runs while they are under way.
    #expect(service.handle(.health(run: 1, passed: true), at: t0 + 12) == [.openRoute, .loaded(seconds: 2), .settled])
    #expect(service.handle(.quiet, at: t0 + 13) == [.startTimer(1, after: .seconds(3))])
    #expect(service.restarts == 0 && service.crashes == 0)
  }

  @Test func preloadLoadsAtUpAndItsIdlePeriodRunsFromHealth() {
    var service = lifecycle(preload: true)
    #expect(service.handle(.boot, at: t0) == [.spawn(run: 1)])
    _ = service.handle(.spawned(run: 1, pid: 100), at: t0)
    #expect(
      service.handle(.health(run: 1, passed: true), at: t0 + 2) == [
        .openRoute, .loaded(seconds: 2), .settled, .startTimer(1, after: .seconds(3)),
      ])
    // Later health checks do not restart the period.
    #expect(service.handle(.health(run: 1, passed: true), at: t0 + 4) == [.openRoute])
  }

  @Test func afterTheIdlePeriodItUnloadsAndReadsIdleNotFailed() throws {
    var service = serving()
    #expect(service.handle(.timerFired(1), at: t0 + 5) == [.closeRoute, .signalStop(pid: 100)])
    #expect(service.phase == .unloading && service.state == .idle)
    // Late health verdicts about the run on its way out change nothing.
    #expect(service.handle(.health(run: 1, passed: false), at: t0 + 5.1).isEmpty)
    #expect(service.handle(.exited(run: 1, status: 0), at: t0 + 6) == [.closeRoute])
    #expect(service.phase == .idle && service.state == .idle && service.pid == nil)
    let report = try #require(service.lastExitReport)
    #expect(!report.crash && report.line.contains("unloaded after 3 s without a request"), "\(report.line)")
    #expect(service.crashes == 0 && service.restarts == 0 && service.quickExits == 0 && service.wakes == 0)
    #expect(service.handle(.busy, at: t0 + 20) == [.spawn(run: 2)])
    #expect(service.wakes == 1)
  }

  @Test func noIdlePeriodEndsWhileARequestIsUnderWay() {
    var service = serving()
    // A request (a long stream) began: the period that was running no longer counts.
    #expect(service.handle(.busy, at: t0 + 2.5).isEmpty)
    #expect(service.handle(.timerFired(1), at: t0 + 5).isEmpty)
    #expect(service.phase == .healthy)
    // Counted again from the request's end.
    #expect(service.handle(.quiet, at: t0 + 60) == [.startTimer(2, after: .seconds(3))])
    _ = service.handle(.busy, at: t0 + 61)
    _ = service.handle(.quiet, at: t0 + 62)
    #expect(service.handle(.timerFired(2), at: t0 + 63).isEmpty, "a period a later request restarted")
    #expect(service.handle(.timerFired(3), at: t0 + 65) == [.closeRoute, .signalStop(pid: 100)])
  }

  @Test func aRequestDuringTheUnloadStartsItAgainOnceItHasStopped() {
    var service = serving()
    _ = service.handle(.timerFired(1), at: t0 + 5)
    #expect(service.handle(.busy, at: t0 + 5.1).isEmpty)
    #expect(service.handle(.exited(run: 1, status: 0), at: t0 + 6) == [.closeRoute, .spawn(run: 2)])
    #expect(service.wakes == 1 && service.crashes == 0 && service.restarts == 0 && service.state == .starting)
  }

  @Test func stopAndRestartOfAnIdleService() {
    var idle = lifecycle()
    _ = idle.handle(.boot, at: t0)
    #expect(idle.handle(.stop, at: t0 + 1) == [.settled])
    #expect(idle.phase == .stopped)

    // `restart` of an idle service loads it: asked for, not a wake.
    var asked = lifecycle()
    _ = asked.handle(.boot, at: t0)
    #expect(asked.handle(.restart, at: t0 + 1) == [.spawn(run: 1)])
    #expect(asked.wakes == 0)

    // `down` while it unloads: it ends stopped, not idle, and is not started again.
    var unloading = serving()
    _ = unloading.handle(.timerFired(1), at: t0 + 5)
    _ = unloading.handle(.busy, at: t0 + 5.1)
    #expect(unloading.handle(.stop, at: t0 + 5.2) == [.closeRoute])
    #expect(unloading.handle(.exited(run: 1, status: 0), at: t0 + 6) == [.closeRoute, .settled])
    #expect(unloading.phase == .stopped && unloading.wakes == 0)
  }

  @Test func withoutIdleUnloadingNothingChanges() {
    var service = lifecycle(idleAfter: nil, preload: false)
    #expect(service.handle(.boot, at: t0) == [.spawn(run: 1)])
    _ = service.handle(.spawned(run: 1, pid: 100), at: t0)
    #expect(service.handle(.health(run: 1, passed: true), at: t0 + 2) == [.openRoute, .loaded(seconds: 2), .settled])
    #expect(service.handle(.busy, at: t0 + 3).isEmpty)
    #expect(service.handle(.quiet, at: t0 + 4).isEmpty)
    #expect(service.phase == .healthy)
  }

  @Test func aCrashWhileIdleUnloadingIsOnIsStillACrash() {
    var service = serving()
    #expect(service.handle(.exited(run: 1, status: 1), at: t0 + 2.5) == [.closeRoute, .startTimer(2, after: .seconds(1))])
    #expect(service.crashes == 1 && service.state == .restarting)
    // The idle period of the crashed run is over with it.
    #expect(service.handle(.timerFired(1), at: t0 + 5).isEmpty)
  }
}
