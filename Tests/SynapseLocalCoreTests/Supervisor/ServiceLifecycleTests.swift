import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// The supervisor's decisions, one transition at a time: no process, no clock, no socket.
@Suite("service lifecycle")
struct ServiceLifecycleTests {
  let t0 = Date(timeIntervalSince1970: 1_800_000_000)

  func lifecycle(_ configure: (inout ServiceLifecycle.Policy) -> Void = { _ in }) -> ServiceLifecycle {
    var policy = ServiceLifecycle.Policy()
    policy.crashLoopLimit = 3
    policy.livenessFailures = 2
    policy.stableSeconds = 30
    policy.backoffBase = .seconds(1)
    policy.backoffCap = .seconds(4)
    configure(&policy)
    return ServiceLifecycle(policy: policy)
  }

  /// Started, spawned as run 1 with keeper pid 100, and healthy at t0 + 2 s.
  func serving() -> ServiceLifecycle {
    var service = lifecycle()
    _ = service.handle(.start, at: t0)
    _ = service.handle(.spawned(run: 1, pid: 100), at: t0)
    _ = service.handle(.health(run: 1, passed: true), at: t0 + 2)
    return service
  }

  @Test func startSpawnsTheFirstRunAndHealthOpensTheRouteOnce() {
    var service = lifecycle()
    #expect(service.handle(.start, at: t0) == [.spawn(run: 1)])
    #expect(service.phase == .starting && service.state == .starting)
    #expect(service.handle(.spawned(run: 1, pid: 100), at: t0).isEmpty)
    // Not yet answering: still loading, no verdict against it.
    #expect(service.handle(.health(run: 1, passed: false), at: t0 + 1).isEmpty)
    #expect(service.phase == .starting)
    #expect(service.handle(.health(run: 1, passed: true), at: t0 + 2.5) == [.openRoute, .loaded(seconds: 2.5), .settled])
    #expect(service.phase == .healthy && service.healthyAt == t0 + 2.5)
    // Later passes keep the route open; the load is measured once.
    #expect(service.handle(.health(run: 1, passed: true), at: t0 + 10) == [.openRoute])
    // A second start while running changes nothing.
    #expect(service.handle(.start, at: t0 + 11).isEmpty)
  }

  @Test func aCrashBacksOffLongerEachTimeThenMarksACrashLoopFailed() {
    var service = serving()
    #expect(service.handle(.exited(run: 1, status: 1), at: t0 + 5) == [.closeRoute, .startTimer(1, after: .seconds(1))])
    #expect(service.phase == .backingOff(timer: 1) && service.state == .restarting)
    #expect(service.restarts == 1 && service.quickExits == 1 && service.lastExit == 1 && service.pid == nil)
    // A stale timer is ignored; the right one starts run 2.
    #expect(service.handle(.timerFired(7), at: t0 + 6).isEmpty)
    #expect(service.handle(.timerFired(1), at: t0 + 6) == [.spawn(run: 2)])
    _ = service.handle(.spawned(run: 2, pid: 101), at: t0 + 6)
    #expect(service.handle(.exited(run: 2, status: 1), at: t0 + 7) == [.closeRoute, .startTimer(2, after: .seconds(2))])
    _ = service.handle(.timerFired(2), at: t0 + 9)
    _ = service.handle(.spawned(run: 3, pid: 102), at: t0 + 9)
    #expect(service.handle(.exited(run: 3, status: 3), at: t0 + 10) == [.closeRoute, .attachLogTail, .settled])
    #expect(service.phase == .failed && service.restarts == 2 && service.lastExit == 3)
    #expect(service.message == "exited 3 times in a row (last status 3)")
    // Failed stays failed until someone asks: then a fresh count.
    #expect(service.handle(.timerFired(2), at: t0 + 20).isEmpty)
    #expect(service.handle(.restart, at: t0 + 30) == [.spawn(run: 4)])
    #expect(service.quickExits == 0 && service.message == nil)
  }

  @Test func theBackoffDoublesUpToItsCap() {
    let pauses = (1...6).map { ServiceLifecycle.backoff(failures: $0, base: .seconds(1), cap: .seconds(30)) }
    #expect(pauses == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30)])
    #expect(ServiceLifecycle.backoff(failures: 1000, base: .milliseconds(100), cap: .seconds(3)) == .seconds(3))
  }

  @Test func aRunHealthyLongerThanTheStableTimeStartsTheCountAfresh() {
    var service = serving()
    _ = service.handle(.exited(run: 1, status: 1), at: t0 + 3)
    _ = service.handle(.timerFired(1), at: t0 + 4)
    _ = service.handle(.spawned(run: 2, pid: 101), at: t0 + 4)
    _ = service.handle(.health(run: 2, passed: true), at: t0 + 5)
    #expect(service.quickExits == 1)
    // Healthy for 40 s, past the 30 s that make a run stable: this exit is the first of a new count.
    _ = service.handle(.exited(run: 2, status: 1), at: t0 + 45)
    #expect(service.quickExits == 1 && service.phase == .backingOff(timer: 2))
  }

  /// Crashes long ago do not count against a run that was healthy for a while, even when the
  /// supervisor itself ended it (a liveness restart).
  @Test func aStableRunClearsTheCrashCountHoweverItEnds() {
    var service = serving()
    _ = service.handle(.exited(run: 1, status: 1), at: t0 + 3)
    _ = service.handle(.timerFired(1), at: t0 + 4)
    _ = service.handle(.spawned(run: 2, pid: 101), at: t0 + 4)
    _ = service.handle(.exited(run: 2, status: 1), at: t0 + 5)
    _ = service.handle(.timerFired(2), at: t0 + 7)
    _ = service.handle(.spawned(run: 3, pid: 102), at: t0 + 7)
    _ = service.handle(.health(run: 3, passed: true), at: t0 + 8)
    #expect(service.quickExits == 2)
    // An hour healthy, then hung: the liveness restart starts the count afresh.
    _ = service.handle(.health(run: 3, passed: false), at: t0 + 3600)
    _ = service.handle(.health(run: 3, passed: false), at: t0 + 3605)
    #expect(service.phase == .stoppingToRestart)
    _ = service.handle(.exited(run: 3, status: 143), at: t0 + 3606)
    #expect(service.quickExits == 0)
    // So one crash while loading again is the first of a new count, not the third.
    _ = service.handle(.spawned(run: 4, pid: 103), at: t0 + 3606)
    _ = service.handle(.exited(run: 4, status: 1), at: t0 + 3607)
    #expect(service.phase == .backingOff(timer: 3) && service.quickExits == 1)
  }

  @Test func restartPoliciesDecideWhatAnExitMeans() {
    var onFailure = serving()
    #expect(onFailure.handle(.exited(run: 1, status: 0), at: t0 + 5) == [.closeRoute, .settled])
    #expect(onFailure.phase == .stopped && onFailure.message == "exited with status 0; its restart policy is on-failure")

    var never = lifecycle { $0.restart = .never }
    _ = never.handle(.start, at: t0)
    _ = never.handle(.spawned(run: 1, pid: 100), at: t0)
    #expect(never.handle(.exited(run: 1, status: 2), at: t0 + 1) == [.closeRoute, .settled])
    #expect(never.phase == .failed)

    var always = lifecycle { $0.restart = .always }
    _ = always.handle(.start, at: t0)
    _ = always.handle(.spawned(run: 1, pid: 100), at: t0)
    #expect(always.handle(.exited(run: 1, status: 0), at: t0 + 1) == [.closeRoute, .startTimer(1, after: .seconds(1))])
  }

  @Test func missedLivenessChecksCloseTheRouteThenRestartWithoutCountingACrash() {
    var service = serving()
    #expect(service.handle(.health(run: 1, passed: false), at: t0 + 10) == [.closeRoute])
    #expect(service.phase == .unhealthy(misses: 1) && service.state == .unhealthy)
    // One pass in between starts the count again.
    #expect(service.handle(.health(run: 1, passed: true), at: t0 + 15) == [.openRoute])
    _ = service.handle(.health(run: 1, passed: false), at: t0 + 20)
    #expect(service.handle(.health(run: 1, passed: false), at: t0 + 25) == [.closeRoute, .signalStop(pid: 100)])
    #expect(service.phase == .stoppingToRestart && service.state == .restarting)
    #expect(service.message == "restarted: no answer to 2 health checks in a row")
    // The keeper stopped the hung group (SIGTERM: 143): back at once, no backoff, no quick exit.
    #expect(service.handle(.exited(run: 1, status: 143), at: t0 + 26) == [.closeRoute, .spawn(run: 2)])
    #expect(service.restarts == 1 && service.quickExits == 0)
    // Why it restarted stays visible in status.
    #expect(service.message == "restarted: no answer to 2 health checks in a row")
  }

  @Test func aVerdictOnAnEarlierRunChangesNothing() {
    var service = serving()
    _ = service.handle(.exited(run: 1, status: 1), at: t0 + 3)
    _ = service.handle(.timerFired(1), at: t0 + 4)
    _ = service.handle(.spawned(run: 2, pid: 101), at: t0 + 4)
    // A check that started on run 1 answers now: it must not open the endpoint to run 2.
    #expect(service.handle(.health(run: 1, passed: true), at: t0 + 4.5).isEmpty)
    #expect(service.phase == .starting)
    // An exit of run 1 arriving late is not run 2's.
    #expect(service.handle(.exited(run: 1, status: 9), at: t0 + 4.6).isEmpty)
    #expect(service.phase == .starting && service.pid == 101)
  }

  @Test func restartAndStopWhileTheKeeperIsStillSpawningReachItOnceItRuns() {
    var service = lifecycle()
    _ = service.handle(.start, at: t0)
    #expect(service.handle(.stop, at: t0) == [.closeRoute])
    #expect(service.phase == .stopping)
    // The pid arrives after the stop: now it is told.
    #expect(service.handle(.spawned(run: 1, pid: 100), at: t0) == [.signalStop(pid: 100)])
    #expect(service.handle(.exited(run: 1, status: 143), at: t0 + 1) == [.closeRoute, .settled])
    #expect(service.phase == .stopped)

    var restarting = lifecycle()
    _ = restarting.handle(.start, at: t0)
    #expect(restarting.handle(.restart, at: t0) == [.closeRoute])
    #expect(restarting.handle(.spawned(run: 1, pid: 100), at: t0) == [.signalStop(pid: 100)])
    #expect(restarting.handle(.exited(run: 1, status: 143), at: t0) == [.closeRoute, .spawn(run: 2)])
  }

  @Test func aKeeperSpawnedForAnEndedRunIsStopped() {
    var service = serving()
    #expect(service.handle(.spawned(run: 0, pid: 555), at: t0 + 3) == [.signalStop(pid: 555)])
    #expect(service.pid == 100)
  }

  @Test func stopEndsForGoodAndABackoffPauseEndsAtOnce() {
    var service = serving()
    #expect(service.handle(.stop, at: t0 + 5) == [.closeRoute, .signalStop(pid: 100)])
    // Health that was in flight must not reopen the route of a run on its way out.
    #expect(service.handle(.health(run: 1, passed: true), at: t0 + 5.1).isEmpty)
    #expect(service.handle(.restart, at: t0 + 5.2).isEmpty)
    #expect(service.handle(.exited(run: 1, status: 143), at: t0 + 6) == [.closeRoute, .settled])
    #expect(service.phase == .stopped && service.restarts == 0)

    var pausing = serving()
    _ = pausing.handle(.exited(run: 1, status: 1), at: t0 + 3)
    #expect(pausing.handle(.stop, at: t0 + 3.5) == [.settled])
    #expect(pausing.phase == .stopped)
    #expect(pausing.handle(.timerFired(1), at: t0 + 4).isEmpty)
  }

  @Test func restartDuringABackoffStartsAtOnce() {
    var service = serving()
    _ = service.handle(.exited(run: 1, status: 1), at: t0 + 3)
    #expect(service.handle(.restart, at: t0 + 3.1) == [.spawn(run: 2)])
    // The pause's timer, firing later, is stale.
    #expect(service.handle(.timerFired(1), at: t0 + 4).isEmpty)
  }

  /// A swap's candidate runs with the `never` policy while it loads: an exit fails the swap
  /// instead of restarting; once adopted, the service's own policy applies.
  @Test func aSwapCandidateThatExitsWhileLoadingIsNotRestartedButAnAdoptedOneIs() {
    var candidate = lifecycle { $0.restart = .never }
    _ = candidate.handle(.start, at: t0)
    _ = candidate.handle(.spawned(run: 1, pid: 200), at: t0)
    #expect(candidate.handle(.exited(run: 1, status: 1), at: t0 + 1) == [.closeRoute, .settled])
    #expect(candidate.phase == .failed && candidate.lastExit == 1)

    var adopted = lifecycle { $0.restart = .never }
    _ = adopted.handle(.start, at: t0)
    _ = adopted.handle(.spawned(run: 1, pid: 200), at: t0)
    _ = adopted.handle(.health(run: 1, passed: true), at: t0 + 1)
    #expect(adopted.handle(.adopt(restart: .onFailure), at: t0 + 2).isEmpty)
    #expect(adopted.handle(.exited(run: 1, status: 1), at: t0 + 5) == [.closeRoute, .startTimer(1, after: .seconds(1))])
  }

  /// A run a swap retires is not restarted, whatever ends it (that would load the model being
  /// swapped out).
  @Test func aRetiredRunIsNotRestarted() {
    var service = serving()
    #expect(service.handle(.retire, at: t0 + 3).isEmpty)
    #expect(service.phase == .healthy)
    #expect(service.handle(.exited(run: 1, status: 1), at: t0 + 4) == [.closeRoute, .settled])
    #expect(service.phase == .failed && service.restarts == 0)
    #expect(service.message == "exited with status 1; its restart policy is never")
  }

  /// What the supervisor saw, and the log's last lines after a crash loop, reach the message by
  /// events: nothing edits the lifecycle from outside.
  @Test func notesAndTheLogTailReachTheMessage() {
    var service = lifecycle()
    #expect(service.handle(.note("cannot start the keeper: no such file"), at: t0).isEmpty)
    #expect(service.message == "cannot start the keeper: no such file")
    _ = service.handle(.start, at: t0)
    #expect(service.message == nil)
    for run in 1...3 {
      _ = service.handle(.spawned(run: run, pid: 100 + Int32(run)), at: t0)
      let effects = service.handle(.exited(run: run, status: 1), at: t0)
      if run == 3 { #expect(effects.contains(.attachLogTail)) }
      _ = service.handle(.timerFired(run), at: t0)
    }
    #expect(service.handle(.logTail("segfault"), at: t0).isEmpty)
    #expect(service.message == "exited 3 times in a row (last status 1)" + ServiceStatus.logTailMarker + "segfault")
  }

  /// Issue 35, defect 16: a kill -9 is said as such, with what follows, and a restart someone
  /// asked for is not counted as a crash.
  @Test func eachExitIsReportedWithItsCauseAndARestartAskedForIsNoCrash() throws {
    var service = serving()
    _ = service.handle(.exited(run: 1, status: 137), at: t0 + 5)
    var report = try #require(service.lastExitReport)
    #expect(report.line == "exited: killed by signal 9 (SIGKILL); restarting in 1 s, restart 1 of 2")
    #expect(report.crash && report.at == t0 + 5 && report.cause == "killed by signal 9 (SIGKILL)")
    #expect(service.crashes == 1 && service.restarts == 1)

    _ = service.handle(.timerFired(1), at: t0 + 6)
    _ = service.handle(.spawned(run: 2, pid: 101), at: t0 + 6)
    _ = service.handle(.health(run: 2, passed: true), at: t0 + 7)
    _ = service.handle(.restart, at: t0 + 50)
    _ = service.handle(.exited(run: 2, status: 143), at: t0 + 51)
    report = try #require(service.lastExitReport)
    #expect(report.line == "stopped for the restart asked for: killed by signal 15 (SIGTERM); starting it again")
    #expect(!report.crash && service.crashes == 1 && service.restarts == 2)

    // A hang the supervisor ends is not asked for; an exit with a status is said with it.
    _ = service.handle(.spawned(run: 3, pid: 102), at: t0 + 51)
    _ = service.handle(.health(run: 3, passed: true), at: t0 + 52)
    _ = service.handle(.health(run: 3, passed: false), at: t0 + 60)
    _ = service.handle(.health(run: 3, passed: false), at: t0 + 65)
    _ = service.handle(.exited(run: 3, status: 143), at: t0 + 66)
    #expect(service.lastExitReport?.crash == true && service.crashes == 2)
    #expect(service.lastExitReport?.line.hasPrefix("stopped after 2 health checks in a row went unanswered: killed by signal 15") == true)
    _ = service.handle(.spawned(run: 4, pid: 103), at: t0 + 66)
    _ = service.handle(.exited(run: 4, status: 1), at: t0 + 67)
    #expect(service.lastExitReport?.line == "exited: exit status 1; restarting in 1 s, restart 1 of 2")
    _ = service.handle(.stop, at: t0 + 68)
    #expect(service.lastExitReport?.line == "exited: exit status 1; restarting in 1 s, restart 1 of 2")
    #expect(ExitReport.cause(0) == "exit status 0" && ExitReport.cause(134) == "killed by signal 6 (SIGABRT)")
  }
}
