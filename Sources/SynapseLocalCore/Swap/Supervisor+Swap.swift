import Foundation
import SynapseLocalSystem

/// Swapping a service's engine behind its stable endpoint.
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
      throw StackError.control("\(name.rawValue) has no stable endpoint to swap behind")
    }
    if let busy = swapProgress {
      throw StackError.control("a swap of \(busy.service.rawValue) is already under way; wait for it to finish")
    }
    guard slots[oldSlot]?.lifecycle.phase == .healthy else {
      let state = slots[oldSlot]?.lifecycle.state.rawValue ?? "stopped"
      throw StackError.control("\(name.rawValue) is \(state), not healthy: swap it once it serves (synapse-local status)")
    }
    let old = specs[index]
    let time = context.time
    swapProgress = SwapProgress(
      service: name, from: old.model, to: replacement.model, mode: mode, phase: mode == .hold ? .holding : .loading, startedAt: time.now)
    defer { swapProgress = nil }
    let heldBefore = endpoint.statistics.held
    endpoint.startWindow()
    let began = time.now
    let load: Double
    let clock = ContinuousClock.now
    do {
      switch mode {
      case .sideBySide:
        load = try await swapSideBySide(
          old: old, slot: oldSlot, index: index, to: replacement, endpoint: endpoint, oldPort: oldPort, drainSeconds: drainSeconds)
      case .hold:
        load = try await swapHolding(
          old: old, slot: oldSlot, index: index, to: replacement, endpoint: endpoint, oldPort: oldPort, drainSeconds: drainSeconds)
      }
    } catch {
      settings.metrics.swapEnded(name, mode: mode, took: ContinuousClock.now - clock, succeeded: false)
      throw error
    }
    settings.metrics.swapEnded(name, mode: mode, took: ContinuousClock.now - clock, succeeded: true)
    let switched = time.seconds(since: began)
    // Requests held until now are on their way to the new engine: let them leave the hold so the
    // report counts their waits.
    let settle = time.now.addingTimeInterval(5)
    while endpoint.holding > 0 && time.now < settle { try? await time.sleep(for: .milliseconds(20)) }
    let report = SwapReport(
      service: name, model: replacement.model, from: old.model, mode: mode, switchMilliseconds: Int(switched * 1000),
      loadMilliseconds: Int(load * 1000), heldRequests: endpoint.statistics.held - heldBefore,
      longestWaitMilliseconds: endpoint.windowLongestWaitMilliseconds)
    lastSwap = report
    return report
  }

  /// The side-by-side swap; returns how long the new engine took to load, in seconds.
  func swapSideBySide(
    old: ServiceSpec, slot oldSlot: Int, index: Int, to replacement: ServiceSpec, endpoint: StableEndpoint, oldPort: Int,
    drainSeconds: Double
  ) async throws -> Double {
    let name = replacement.name
    // The pid file the current run does not use (it may itself have come from a swap).
    let candidatePIDFile = slots[oldSlot]?.pidFile == pidFile(name) ? nextPIDFile(name) : pidFile(name)
    // While it loads, an exit is the swap's failure, not a crash to restart.
    if stopping { throw StackError.control("the stack is stopping") }
    var policy = settings.policy
    policy.restart = .never
    let candidate = makeSlot(replacement, pidFile: candidatePIDFile, policy: policy)
    deliver(candidate, .start)
    do {
      try await waitUntilHealthy(candidate)
    } catch {
      let exit = slots[candidate]?.lifecycle.lastExit
      await discard(candidate)
      let why =
        stopping
        ? "the stack is stopping"
        : exit.map { "it exited with status \($0) before it was healthy" }
          ?? "it was not healthy within \(Int(replacement.readinessSeconds)) s"
      throw StackError.control(
        "the swap to \(replacement.model ?? name.rawValue) failed: \(why); \(old.model ?? name.rawValue) serves on. Last lines of the \(name.rawValue) log:\n"
          + logTail(name, lines: 10))
    }
    let lifecycle = slots[candidate]?.lifecycle
    let loaded = lifecycle?.healthyAt.flatMap { healthy in lifecycle?.startedAt.map { healthy.timeIntervalSince($0) } } ?? 0
    // The switch: every request from here on goes to the new engine, under its name.
    servedNames[name, default: []].append(contentsOf: replacement.model.map { [$0] } ?? [])
    routing[name] = candidate
    ready.set(name, route(replacement))
    retireQuietly(oldSlot)
    swapProgress?.phase = .draining
    // The new run becomes the service's: supervised, restarted by its policy from here on.
    specs[index] = replacement
    current[name] = candidate
    slots[candidate]?.lifecycle.policy.restart = replacement.restart
    // The old engine finishes the exchanges it has (streams included), then stops.
    await drain(endpoint, enginePort: oldPort, seconds: drainSeconds)
    await readEngine(name, port: oldPort, model: old.model)
    await discard(oldSlot)
    return loaded
  }

  /// The hold-mode swap; returns how long the new engine took to load, in seconds.
  func swapHolding(
    old: ServiceSpec, slot oldSlot: Int, index: Int, to replacement: ServiceSpec, endpoint: StableEndpoint, oldPort: Int,
    drainSeconds: Double
  ) async throws -> Double {
    let name = replacement.name
    // New requests wait at the endpoint; the old run's health can no longer open it.
    routing[name] = nil
    ready.set(name, nil)
    retireQuietly(oldSlot)
    // Requests under way finish on the old engine (those held meanwhile are not among them).
    await drain(endpoint, enginePort: oldPort, seconds: drainSeconds)
    await readEngine(name, port: oldPort, model: old.model)
    await discard(oldSlot)
    swapProgress?.phase = .loading
    let time = context.time
    let loadStarted = time.now
    servedNames[name, default: []].append(contentsOf: replacement.model.map { [$0] } ?? [])
    if stopping {
      throw StackError.control("the swap to \(replacement.model ?? name.rawValue) was ended: the stack is stopping")
    }
    specs[index] = replacement
    current[name] = nil
    let next = launch(replacement)
    do {
      try await waitUntilHealthy(next)
    } catch {
      await discard(next)
      current[name] = nil
      servedNames[name]?.removeLast()
      specs[index] = old
      if stopping { throw StackError.control("the swap to \(replacement.model ?? name.rawValue) was ended: the stack is stopping") }
      let again = launch(old)
      try? await waitUntilHealthy(again)
      throw StackError.control(
        "the swap to \(replacement.model ?? name.rawValue) failed, and \(old.model ?? name.rawValue) serves again: \(error)")
    }
    return time.seconds(since: loadStarted)
  }

  /// A run on its way out finishes what it has: a crash meanwhile is not restarted (that would
  /// load the model being swapped out), and its health is no longer checked.
  func retireQuietly(_ id: Int) {
    slots[id]?.lifecycle.policy.restart = .never
    slots[id]?.monitor?.cancel()
  }

  /// Until the endpoint has no exchange left with the engine on `enginePort`, or `seconds` pass.
  /// (The endpoint counts on its own threads and offers no event yet: a short poll on the clock.)
  func drain(_ endpoint: StableEndpoint, enginePort: Int, seconds: Double) async {
    let time = context.time
    let deadline = time.now.addingTimeInterval(seconds)
    while endpoint.inFlight(toEngine: enginePort) > 0 && time.now < deadline {
      guard (try? await time.sleep(for: .milliseconds(20))) != nil else { return }
    }
  }
}
