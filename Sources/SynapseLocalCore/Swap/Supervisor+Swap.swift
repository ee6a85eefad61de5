import Foundation
import SynapseLocalSystem

/// Swapping a service's engine behind its stable endpoint: what happens is decided by a
/// `SwapLifecycle`; this extension checks the order, delivers the swap's events and carries out
/// its effects on the slots, the route and the endpoint.
extension Supervisor {
  /// Replaces a service's engine with `replacement` (same service, another model, its own engine
  /// port). Side by side: the new engine loads in a slot of its own while the old one serves; once
  /// it is healthy new requests go to it in one step, the old one finishes what it has and stops.
  /// Hold: new requests are held, the old engine finishes what it has and stops, the new one loads,
  /// and the held requests go to it. Either way a replacement that does not become healthy is
  /// stopped and the old engine serves on (in hold mode it is started again), and the error says why.
  public func swap(to replacement: ServiceSpec, mode: SwapMode, drainSeconds: Double = 60) async throws -> SwapReport {
    let name = replacement.name
    guard let index = specs.firstIndex(where: { $0.name == name }), let endpoint = endpoints[name], let oldPort = specs[index].enginePort,
      let oldSlot = current[name]
    else {
      throw SwapError.noStableEndpoint(name)
    }
    if let busy = swapRun {
      throw SwapError.alreadyUnderWay(busy.lifecycle.service)
    }
    if slots[oldSlot]?.lifecycle.phase == .idle { return swapWhileIdle(to: replacement, mode: mode, index: index, slot: oldSlot) }
    guard let phase = slots[oldSlot]?.lifecycle.phase, phase == .healthy || phase == .degraded else {
      let state = slots[oldSlot]?.lifecycle.state.rawValue ?? "stopped"
      throw SwapError.notHealthy(service: name, state: state)
    }
    let lifecycle = SwapLifecycle(from: specs[index], to: replacement, mode: mode, drainSeconds: drainSeconds)
    let heldBefore = endpoint.statistics.held
    endpoint.startWindow()
    return try await withCheckedThrowingContinuation { caller in
      swapRun = SwapRun(
        lifecycle: lifecycle, index: index, endpoint: endpoint, oldSlot: oldSlot, oldPort: oldPort, heldBefore: heldBefore,
        caller: caller)
      if stopping { deliverSwap(.stackStopping) }
      deliverSwap(.begin)
    }
  }

  /// The one way anything happens to a swap: the event goes to its lifecycle, and the effects it
  /// returns are carried out. `run` names the swap a late callback was made for.
  func deliverSwap(_ event: SwapLifecycle.Event, in run: UUID? = nil) {
    guard var swap = swapRun, run == nil || run == swap.id else { return }
    let effects = swap.lifecycle.handle(event, at: context.time.now)
    swapRun = swap
    for effect in effects { perform(effect) }
    publishLoad(swap.lifecycle.service)
  }

  /// A slot's lifecycle settled: when it is one the swap waits for, the swap hears how.
  func swapSlotSettled(_ id: Int) {
    guard let swap = swapRun, let lifecycle = slots[id]?.lifecycle else { return }
    if id == swap.newSlot {
      switch lifecycle.phase {
      case .healthy:
        let loaded = lifecycle.healthyAt.flatMap { healthy in lifecycle.startedAt.map { healthy.timeIntervalSince($0) } } ?? 0
        deliverSwap(.newHealthy(loadSeconds: loaded))
      case .failed: deliverSwap(.newFailed(exit: lifecycle.lastExit))
      case .stopped, .stopping: deliverSwap(.newStopped(exit: lifecycle.lastExit, message: lifecycle.message))
      default: break
      }
    } else if id == swap.restoredSlot {
      switch lifecycle.phase {
      case .healthy, .failed, .stopped, .stopping: deliverSwap(.oldRestored)
      default: break
      }
    }
  }

  /// Whether a slot's health opens and closes its service's route: the service's current run's
  /// does, unless a hold-mode swap holds the requests.
  func routes(_ id: Int, _ name: ServiceName) -> Bool {
    if let swap = swapRun?.lifecycle, swap.service == name, swap.holdsRequests { return false }
    return current[name] == id
  }

  func perform(_ effect: SwapLifecycle.Effect) {
    guard let swap = swapRun else { return }
    let run = swap.id
    let name = swap.lifecycle.service
    let (old, new) = (swap.lifecycle.from, swap.lifecycle.to)
    switch effect {
    case .startBeside:
      // The pid file the current run does not use (it may itself have come from a swap).
      let candidatePIDFile = slots[swap.oldSlot]?.pidFile == pidFile(name) ? nextPIDFile(name) : pidFile(name)
      var policy = settings.policy
      policy.restart = .never
      policy.idleAfter = new.idleAfter
      let id = makeSlot(new, pidFile: candidatePIDFile, policy: policy)
      swapRun?.newSlot = id
      deliver(id, .start)
    case .startInPlace:
      servedNames[name, default: []].append(contentsOf: new.model.map { [$0] } ?? [])
      specs[swap.index] = new
      current[name] = nil
      // Launched before it is recorded: the launch reads the swap (`publishLoad`).
      let id = launch(new)
      swapRun?.newSlot = id
    case .switchRoute:
      guard let id = swap.newSlot else { return }
      servedNames[name, default: []].append(contentsOf: new.model.map { [$0] } ?? [])
      specs[swap.index] = new
      current[name] = id
      ready.set(name, route(new))
      deliver(id, .adopt(restart: new.restart))
      // Its idle period counts from the requests it now takes, not from its load.
      reportActivity(to: id)
      noteActivity(id)
    case .closeRoute:
      ready.set(name, nil)
    case .retireOld:
      deliver(swap.oldSlot, .retire)
      slots[swap.oldSlot]?.monitor?.cancel()
    case .awaitDrain:
      swap.endpoint.whenDrained(engine: swap.oldPort) { Task { await self.deliverSwap(.drained, in: run) } }
    case .awaitRelease:
      swap.endpoint.whenReleased { Task { await self.deliverSwap(.released, in: run) } }
    case .stopOld:
      Task {
        await self.readEngine(name, port: swap.oldPort, model: old.model)
        await self.discard(swap.oldSlot)
        self.deliverSwap(.oldStopped, in: run)
      }
    case .discardNew:
      guard let id = swap.newSlot else { return }
      Task {
        await self.discard(id)
        self.deliverSwap(.newDiscarded, in: run)
      }
    case .restoreSpec:
      current[name] = nil
      if new.model != nil { servedNames[name]?.removeLast() }
      specs[swap.index] = old
    case .startOld:
      let id = launch(old)
      swapRun?.restoredSlot = id
    case .startTimer(let timer, let pause):
      let time = context.time
      swapRun?.timer?.cancel()
      swapRun?.timer = Task {
        guard (try? await time.sleep(for: pause)) != nil else { return }
        self.deliverSwap(.timerFired(timer), in: run)
      }
    case .attachLogTail(let lines):
      deliverSwap(.logTail(logTail(name, lines: lines)), in: run)
    case .count(let succeeded, let seconds):
      settings.metrics.swapEnded(name, mode: swap.lifecycle.mode, took: .milliseconds(Int(seconds * 1000)), succeeded: succeeded)
    case .finish(let outcome):
      swap.timer?.cancel()
      swapRun = nil
      switch outcome {
      case .swapped(let switchSeconds, let loadSeconds):
        let report = SwapReport(
          service: name, model: new.model, from: old.model, mode: swap.lifecycle.mode, switchMilliseconds: Int(switchSeconds * 1000),
          loadMilliseconds: Int(loadSeconds * 1000), heldRequests: swap.endpoint.statistics.held - swap.heldBefore,
          longestWaitMilliseconds: swap.endpoint.windowLongestWaitMilliseconds)
        lastSwap = report
        swap.caller.resume(returning: report)
      case .failed(let message):
        swap.caller.resume(throwing: SwapError.failed(message: message))
      }
    }
  }
}
