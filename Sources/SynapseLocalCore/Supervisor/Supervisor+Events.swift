import Foundation
import SynapseLocalSystem

/// How anything happens to a service: an event goes to its lifecycle, and the supervisor carries
/// out the effects it returns (spawning a keeper, signalling it, timers, the endpoint's route).
extension Supervisor {
  /// A new slot for `spec` (its own lifecycle, pid file and health monitor), not yet started.
  func makeSlot(_ spec: ServiceSpec, pidFile: String, policy: ServiceLifecycle.Policy) -> Int {
    nextSlot += 1
    let id = nextSlot
    slots[id] = ServiceSlot(id: id, spec: spec, lifecycle: ServiceLifecycle(policy: policy), pidFile: pidFile)
    slots[id]?.monitor = Task { await self.monitor(id) }
    return id
  }

  /// Starts a service in its current slot (made on first use); `.boot` at `up` (an engine that
  /// unloads when idle may wait for its first request).
  @discardableResult
  func launch(_ spec: ServiceSpec, _ event: ServiceLifecycle.Event = .start) -> Int {
    let id: Int
    if let existing = current[spec.name], slots[existing] != nil {
      id = existing
      slots[id]?.spec = spec
    } else {
      var policy = settings.policy
      policy.restart = spec.restart
      policy.idleAfter = spec.idleAfter
      policy.preload = spec.preload
      id = makeSlot(spec, pidFile: pidFile(spec.name), policy: policy)
      current[spec.name] = id
      reportActivity(to: id)
    }
    deliver(id, event)
    return id
  }

  /// The one way anything happens to a service: the event goes to its lifecycle, and the effects
  /// it returns are carried out.
  func deliver(_ id: Int, _ event: ServiceLifecycle.Event) {
    guard var slot = slots[id] else {
      // A keeper spawned for a slot that is gone: it must not run on.
      if case .spawned(_, let pid) = event { context.launcher.signal(pid, SIGTERM) }
      return
    }
    let before = slot.lifecycle.state
    let effects = slot.lifecycle.handle(event, at: context.time.now)
    slots[id] = slot
    for effect in effects { perform(effect, in: id) }
    if current[slot.spec.name] == id, let after = slots[id]?.lifecycle.state, after != before {
      settings.observer?(slot.spec.name, after)
      publishLoad(slot.spec.name)
    }
  }

  func perform(_ effect: ServiceLifecycle.Effect, in id: Int) {
    guard let slot = slots[id] else { return }
    let name = slot.spec.name
    switch effect {
    case .spawn(let run):
      slots[id]?.runs[run] = spawn(slot, run: run)
    case .signalStop(let pid):
      context.launcher.signal(pid, SIGTERM)
    case .startTimer(let timer, let pause):
      let time = context.time
      slots[id]?.timer?.cancel()
      slots[id]?.timer = Task {
        guard (try? await time.sleep(for: pause)) != nil else { return }
        // A request that arrived this instant must be heard before an idle period's end.
        self.noteActivity(id)
        self.deliver(id, .timerFired(timer))
      }
    case .openRoute:
      if routes(id, name) { ready.set(name, route(slot.spec)) }
    case .closeRoute:
      if routes(id, name) { ready.set(name, nil) }
    case .loaded(let seconds):
      recordLoadTime(slot.spec, seconds: seconds)
    case .settled:
      slots[id]?.resumeWaiters()
      swapSlotSettled(id)
    case .attachLogTail:
      deliver(id, .logTail(logTail(name, lines: 10)))
    }
  }

  /// One run of the keeper, to its end; its exit arrives as an event.
  func spawn(_ slot: ServiceSlot, run: Int) -> Task<Void, Never> {
    let spec = slot.spec
    let keeper = KeeperProgram.command(for: settings.keeperExecutable, files: context.files)
    let command = LaunchCommand(
      executable: keeper.executable,
      arguments: keeper.prefix + [
        "--pid-file", slot.pidFile, "--stop-signal", String(spec.stopSignal), "--grace", "10", "--parent", String(getpid()), "--",
        spec.executable,
      ] + spec.arguments,
      environment: spec.environment, workingDirectory: spec.workingDirectory, logPath: settings.logFolder + "/\(spec.name.rawValue).log")
    let launcher = context.launcher
    let id = slot.id
    return Task {
      let status: Int32
      do {
        status = try await launcher.run(command) { pid in await self.deliver(id, .spawned(run: run, pid: pid)) }
      } catch {
        self.note(id, "cannot start the keeper: \(error)")
        status = 127
      }
      self.runEnded(id, run: run, status: status)
    }
  }

  func note(_ id: Int, _ message: String) {
    deliver(id, .note(message))
  }

  /// A keeper has ended: what it left behind goes, then its lifecycle hears of the exit.
  func runEnded(_ id: Int, run: Int, status: Int32) {
    if let slot = slots[id] {
      // A keeper killed outright left its pid file and maybe its service: end that group too.
      if let orphan = ProcessRecord.live(slot.pidFile, files: context.files, table: context.processTable) {
        context.launcher.killLeftover(orphan)
      }
      try? context.files.remove(slot.pidFile)
    }
    slots[id]?.runs[run] = nil
    let before = slots[id]?.lifecycle.lastExitReport
    deliver(id, .exited(run: run, status: status))
    if let slot = slots[id], let report = slot.lifecycle.lastExitReport, report != before {
      context.output.info("\(report.at.formatted(.iso8601)) \(slot.spec.name.rawValue) \(report.line)")
    }
  }

  /// Waits until a slot has no run left (after a stop).
  func ended(_ id: Int) async {
    while let runs = slots[id]?.runs, let next = runs.values.first {
      await next.value
    }
  }

  /// Ends a slot for good: its run stopped and gone, its monitor and timer cancelled, forgotten.
  func discard(_ id: Int) async {
    deliver(id, .stop)
    await ended(id)
    slots[id]?.monitor?.cancel()
    slots[id]?.timer?.cancel()
    slots[id]?.resumeWaiters(throwing: SupervisorError.runEnded)
    slots[id] = nil
  }
}
