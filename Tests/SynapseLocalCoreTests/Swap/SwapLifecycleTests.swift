import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// A swap's decisions, one transition at a time: no process, no socket, and time only as the
/// manual clock says.
@Suite("swap lifecycle")
struct SwapLifecycleTests {
  let clock = ManualClock()

  func engine(_ model: String, enginePort: Int, readiness: Double) -> ServiceSpec {
    var spec = ServiceSpec(
      name: .llm, executable: "/usr/bin/llama-server", arguments: ["--port", String(enginePort)], environment: [:], port: 8080,
      health: .http(url: "http://127.0.0.1:\(enginePort)/health"), readinessSeconds: readiness, model: model)
    spec.enginePort = enginePort
    return spec
  }

  /// smollm2 (5 s to become healthy) serves; gemma (8 s) replaces it; 60 s to drain.
  func swap(_ mode: SwapMode) -> SwapLifecycle {
    SwapLifecycle(
      from: engine("smollm2", enginePort: 9001, readiness: 5), to: engine("gemma", enginePort: 9002, readiness: 8), mode: mode,
      drainSeconds: 60)
  }

  /// Moves the clock on (by binary fractions, so that the seconds compared are exact), then hands `event` to the swap at the new time.
  func after(_ seconds: Double, _ swap: inout SwapLifecycle, _ event: SwapLifecycle.Event) -> [SwapLifecycle.Effect] {
    clock.advance(by: seconds)
    return swap.handle(event, at: clock.now)
  }

  /// Side by side, begun at the clock's start and switched once gemma loaded in 4 s.
  func switched() -> SwapLifecycle {
    var swap = swap(.sideBySide)
    _ = swap.handle(.begin, at: clock.now)
    _ = after(4, &swap, .newHealthy(loadSeconds: 3.5))
    return swap
  }

  /// Hold, with the old engine gone 2 s after the order and gemma loading.
  func holdLoading() -> SwapLifecycle {
    var swap = swap(.hold)
    _ = swap.handle(.begin, at: clock.now)
    _ = after(1, &swap, .drained)
    _ = after(1, &swap, .oldStopped)
    return swap
  }

  // MARK: side by side

  @Test func sideBySideLoadsBesideTheOldEngineThenSwitchesDrainsAndStopsIt() {
    let began = clock.now
    var swap = swap(.sideBySide)
    #expect(swap.progress == nil)
    #expect(swap.handle(.begin, at: began) == [.startBeside, .startTimer(1, after: .seconds(8))])
    #expect(swap.phase == .loading && !swap.holdsRequests)
    let progress = swap.progress
    #expect(progress?.service == .llm && progress?.from == "smollm2" && progress?.to == "gemma" && progress?.mode == .sideBySide)
    #expect(progress?.phase == .loading && progress?.startedAt == began)
    // Healthy: the route switches in one step and the old engine is retired, then drained.
    #expect(
      after(4, &swap, .newHealthy(loadSeconds: 3.5)) == [.switchRoute, .retireOld, .awaitDrain, .startTimer(2, after: .seconds(60))])
    #expect(swap.phase == .draining && swap.progress?.phase == .draining && swap.loadSeconds == 3.5)
    #expect(after(1, &swap, .drained) == [.stopOld])
    #expect(swap.phase == .stoppingOld && swap.progress?.phase == .draining)
    // Swapped once the old engine is gone: counted, then requests held meanwhile leave the hold.
    #expect(after(1, &swap, .oldStopped) == [.count(succeeded: true, seconds: 6), .awaitRelease, .startTimer(3, after: .seconds(5))])
    #expect(swap.phase == .releasing && swap.switchSeconds == 6)
    #expect(after(0.125, &swap, .released) == [.finish(.swapped(switchSeconds: 6, loadSeconds: 3.5))])
    #expect(swap.phase == .finished && swap.progress == nil)
    // Over: nothing moves it again.
    #expect(swap.handle(.timerFired(3), at: clock.now).isEmpty)
    #expect(swap.handle(.begin, at: clock.now).isEmpty)
    #expect(swap.handle(.stackStopping, at: clock.now).isEmpty)
  }

  @Test func aReleaseThatNeverComesEndsAfterFiveSeconds() {
    var swap = switched()
    _ = after(1, &swap, .drained)
    _ = after(1, &swap, .oldStopped)
    #expect(after(4.875, &swap, .timerFired(2)).isEmpty, "the drain's timer is long gone")
    #expect(after(0.125, &swap, .timerFired(3)) == [.finish(.swapped(switchSeconds: 6, loadSeconds: 3.5))])
  }

  @Test func theDrainLimitStopsAnOldEngineThatNeverDrains() {
    var swap = switched()
    // The endpoint still counts an exchange with the old engine: nothing until the limit.
    clock.advance(by: 59.875)
    #expect(swap.phase == .draining)
    #expect(after(0.125, &swap, .timerFired(2)) == [.stopOld])
    #expect(swap.phase == .stoppingOld)
    // The exchange ends while the old engine stops: already under way, nothing more.
    #expect(after(0.5, &swap, .drained).isEmpty)
    #expect(after(0.5, &swap, .oldStopped).first == .count(succeeded: true, seconds: 65))
  }

  @Test func drainedBeforeTheLimitStopsTheOldEngineOnceAndTheLimitThenChangesNothing() {
    var swap = switched()
    #expect(after(0.25, &swap, .drained) == [.stopOld])
    #expect(after(0.25, &swap, .drained).isEmpty)
    #expect(after(60, &swap, .timerFired(2)).isEmpty)
    #expect(swap.phase == .stoppingOld)
  }

  @Test func aCandidateThatExitsWhileLoadingIsDiscardedAndTheOldEngineServesOn() {
    var swap = swap(.sideBySide)
    _ = swap.handle(.begin, at: clock.now)
    #expect(after(2, &swap, .newFailed(exit: 1)) == [.discardNew])
    #expect(swap.phase == .discardingNew && swap.progress?.phase == .loading)
    // A late verdict on the run being discarded changes nothing.
    #expect(after(0.125, &swap, .newStopped(exit: 1, message: nil)).isEmpty)
    #expect(after(0.125, &swap, .newHealthy(loadSeconds: 2)).isEmpty)
    #expect(after(0.125, &swap, .timerFired(1)).isEmpty)
    // Discarded: the error quotes the log as the discard left it.
    #expect(after(0.25, &swap, .newDiscarded) == [.attachLogTail(lines: 10)])
    #expect(
      swap.handle(.logTail("error: cannot load gemma"), at: clock.now) == [
        .count(succeeded: false, seconds: 2.625),
        .finish(
          .failed(
            "the swap to gemma failed: it exited with status 1 before it was healthy; smollm2 serves on. Last lines of the llm log:\nerror: cannot load gemma"
          )),
      ])
    #expect(swap.phase == .finished)
  }

  @Test func aCandidateNotHealthyWithinItsLimitIsDiscarded() {
    var swap = swap(.sideBySide)
    _ = swap.handle(.begin, at: clock.now)
    #expect(after(7.875, &swap, .timerFired(7)).isEmpty, "not this swap's timer")
    #expect(swap.phase == .loading)
    #expect(after(0.125, &swap, .timerFired(1)) == [.discardNew])
    _ = swap.handle(.newDiscarded, at: clock.now)
    #expect(
      swap.handle(.logTail("loading…"), at: clock.now).last
        == .finish(
          .failed("the swap to gemma failed: it was not healthy within 8 s; smollm2 serves on. Last lines of the llm log:\nloading…")))
  }

  @Test func theStackStoppingWhileTheCandidateLoadsDiscardsIt() {
    var swap = swap(.sideBySide)
    _ = swap.handle(.begin, at: clock.now)
    #expect(after(1, &swap, .stackStopping) == [.discardNew])
    // Its exit, caused by the stop, is not the reason given.
    #expect(after(0.125, &swap, .newStopped(exit: 143, message: nil)).isEmpty)
    _ = swap.handle(.newDiscarded, at: clock.now)
    #expect(
      swap.handle(.logTail(""), at: clock.now).last
        == .finish(.failed("the swap to gemma failed: the stack is stopping; smollm2 serves on. Last lines of the llm log:\n")))
  }

  @Test func aSideBySideSwapOrderedWhileTheStackStopsStartsNothing() {
    var swap = swap(.sideBySide)
    #expect(swap.handle(.stackStopping, at: clock.now).isEmpty)
    #expect(swap.handle(.begin, at: clock.now) == [.count(succeeded: false, seconds: 0), .finish(.failed("the stack is stopping"))])
  }

  @Test func theStackStoppingWhileTheOldEngineDrainsStopsItAtOnceAndTheSwapStands() {
    var swap = switched()
    #expect(after(1, &swap, .stackStopping) == [.stopOld])
    #expect(after(1, &swap, .oldStopped).first == .count(succeeded: true, seconds: 6))
  }

  // MARK: hold

  @Test func holdClosesTheRouteDrainsStopsTheOldEngineThenLoadsTheNewOne() {
    let began = clock.now
    var swap = swap(.hold)
    #expect(swap.handle(.begin, at: began) == [.closeRoute, .retireOld, .awaitDrain, .startTimer(1, after: .seconds(60))])
    #expect(swap.phase == .draining && swap.holdsRequests && swap.progress?.phase == .holding)
    #expect(after(1, &swap, .drained) == [.stopOld])
    #expect(swap.holdsRequests && swap.progress?.phase == .holding)
    // Only once the old engine is gone does the new one start, in the service's slot.
    #expect(after(1, &swap, .oldStopped) == [.startInPlace, .startTimer(2, after: .seconds(8))])
    #expect(swap.phase == .loading && !swap.holdsRequests && swap.progress?.phase == .loading)
    // The load counts from the order to start it: requests waited since.
    #expect(
      after(4, &swap, .newHealthy(loadSeconds: 3)) == [
        .count(succeeded: true, seconds: 6), .awaitRelease, .startTimer(3, after: .seconds(5)),
      ]
    )
    #expect(swap.loadSeconds == 4 && swap.progress?.phase == .loading)
    #expect(after(0.125, &swap, .released) == [.finish(.swapped(switchSeconds: 6, loadSeconds: 4))])
  }

  @Test func holdDrainsUpToItsLimit() {
    var swap = swap(.hold)
    _ = swap.handle(.begin, at: clock.now)
    #expect(after(60, &swap, .timerFired(1)) == [.stopOld])
    #expect(after(0.125, &swap, .drained).isEmpty)
  }

  @Test func holdRollsBackWhenTheNewEngineIsNotHealthyInTime() {
    var swap = holdLoading()
    // The log is read as the new engine left it, before it goes.
    #expect(after(8, &swap, .timerFired(2)) == [.attachLogTail(lines: 20), .discardNew])
    #expect(swap.phase == .discardingNew && swap.progress?.phase == .loading)
    #expect(swap.handle(.logTail("still loading"), at: clock.now).isEmpty)
    // Then the old spec is the service's again and starts, with its own readiness limit.
    #expect(after(1, &swap, .newDiscarded) == [.restoreSpec, .startOld, .startTimer(3, after: .seconds(5))])
    #expect(swap.phase == .restoringOld && !swap.holdsRequests)
    #expect(
      after(3, &swap, .oldRestored) == [
        .count(succeeded: false, seconds: 14),
        .finish(
          .failed(
            "the swap to gemma failed, and smollm2 serves again: llm did not become healthy within 8 s; the stack was stopped. Last lines of its log:\nstill loading"
          )),
      ])
  }

  @Test func holdRollsBackWhenTheNewEngineFailsOrStops() {
    var failing = holdLoading()
    #expect(after(1, &failing, .newFailed(exit: 1)) == [.attachLogTail(lines: 20), .discardNew])
    _ = failing.handle(.logTail("crash"), at: clock.now)
    _ = failing.handle(.newDiscarded, at: clock.now)
    #expect(
      failing.handle(.oldRestored, at: clock.now).last
        == .finish(
          .failed(
            "the swap to gemma failed, and smollm2 serves again: llm keeps exiting and was marked failed. Last lines of its log:\ncrash")))

    var stopping = holdLoading()
    _ = stopping.handle(.newStopped(exit: 0, message: "exited with status 0; its restart policy is never"), at: clock.now)
    _ = stopping.handle(.newDiscarded, at: clock.now)
    // The old engine not healthy within its own limit: the swap ends all the same.
    #expect(
      after(5, &stopping, .timerFired(3)).last
        == .finish(
          .failed(
            "the swap to gemma failed, and smollm2 serves again: llm cannot start: exited with status 0; its restart policy is never")))
  }

  @Test func theStackStoppingDuringAHoldSwapEndsItAtEachStep() {
    // While the old engine drains: it is stopped, and nothing new starts.
    var draining = swap(.hold)
    _ = draining.handle(.begin, at: clock.now)
    #expect(draining.handle(.stackStopping, at: clock.now) == [.stopOld])
    #expect(
      after(1, &draining, .oldStopped) == [
        .count(succeeded: false, seconds: 1), .finish(.failed("the swap to gemma was ended: the stack is stopping")),
      ])

    // While the new engine loads: it goes, and the old spec is the service's again.
    var loading = holdLoading()
    #expect(loading.handle(.stackStopping, at: clock.now) == [.discardNew])
    #expect(
      loading.handle(.newDiscarded, at: clock.now) == [
        .restoreSpec, .count(succeeded: false, seconds: 2), .finish(.failed("the swap to gemma was ended: the stack is stopping")),
      ])

    // While the old engine starts again: the failure is told without waiting for it.
    var restoring = holdLoading()
    _ = restoring.handle(.newFailed(exit: 1), at: clock.now)
    _ = restoring.handle(.logTail("crash"), at: clock.now)
    _ = restoring.handle(.newDiscarded, at: clock.now)
    #expect(
      restoring.handle(.stackStopping, at: clock.now).last
        == .finish(
          .failed(
            "the swap to gemma failed, and smollm2 serves again: llm keeps exiting and was marked failed. Last lines of its log:\ncrash")))
  }

  @Test func eventsOutOfTurnChangeNothing() {
    var swap = swap(.hold)
    #expect(swap.handle(.drained, at: clock.now).isEmpty)
    #expect(swap.handle(.newHealthy(loadSeconds: 1), at: clock.now).isEmpty)
    _ = swap.handle(.begin, at: clock.now)
    #expect(swap.handle(.newHealthy(loadSeconds: 1), at: clock.now).isEmpty, "nothing new runs while the old engine drains")
    #expect(swap.handle(.oldStopped, at: clock.now).isEmpty, "not asked to stop yet")
    #expect(swap.handle(.newDiscarded, at: clock.now).isEmpty)
    #expect(swap.handle(.oldRestored, at: clock.now).isEmpty)
    #expect(swap.handle(.released, at: clock.now).isEmpty)
    #expect(swap.phase == .draining)
  }
}
