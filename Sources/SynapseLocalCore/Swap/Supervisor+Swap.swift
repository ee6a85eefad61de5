import Foundation

/// Swapping a service's engine behind its stable endpoint.
extension Supervisor {
  public struct SwapReport: Codable, Sendable, Equatable {
    public var service: ServiceName
    public var model: String?
    public var from: String?
    public var mode: SwapMode
    /// From the request to the new engine taking requests.
    public var switchMilliseconds: Int
    /// The new engine's load (launch to healthy).
    public var loadMilliseconds: Int
    /// Requests held at the stable endpoint during the swap, and the longest wait among them.
    public var heldRequests: Int
    public var longestWaitMilliseconds: Int
    /// Why this mode (filled in from the plan by whoever planned it).
    public var reason: String?
    public var warnings: [String] = []
    /// After a change of vector size: the pgvector columns whose rows must be embedded again.
    public var reembed: [PostgresBootstrap.VectorColumn]?

    enum CodingKeys: String, CodingKey {
      case service, model, from, mode
      case switchMilliseconds = "switch_ms"
      case loadMilliseconds = "load_ms"
      case heldRequests = "held_requests"
      case longestWaitMilliseconds = "longest_wait_ms"
      case reason, warnings, reembed
    }
  }

  /// The spec a service runs now.
  public func currentSpec(_ name: ServiceName) -> ServiceSpec? { specs.first { $0.name == name } }

  /// Replaces a service's engine with `replacement` (same service, another model, its own engine
  /// port). Side by side: the new engine loads while the old one serves; once it is healthy new
  /// requests go to it in one step, the old one finishes what it has and stops. Hold: new requests
  /// are held, the old engine finishes what it has and stops, the new one loads, and the held
  /// requests go to it. Either way a replacement that does not become healthy is stopped and the
  /// old engine serves on (in hold mode it is started again), and the error says why.
  public func swap(to replacement: ServiceSpec, mode: SwapMode, drainSeconds: Double = 60) async throws -> SwapReport {
    let name = replacement.name
    guard let index = specs.firstIndex(where: { $0.name == name }), let endpoint = endpoints[name], let oldPort = specs[index].enginePort else {
      throw StackError.control("\(name.rawValue) has no stable endpoint to swap behind")
    }
    if let busy = swapProgress { throw StackError.control("a swap of \(busy.service.rawValue) is already under way; wait for it to finish") }
    guard records[name]?.state == .healthy else {
      throw StackError.control("\(name.rawValue) is \(records[name]?.state.rawValue ?? "stopped"), not healthy: swap it once it serves (synapse-local status)")
    }
    let old = specs[index]
    swapProgress = SwapProgress(service: name, from: old.model, to: replacement.model, mode: mode, phase: mode == .hold ? .holding : .loading, startedAt: Date())
    defer { swapProgress = nil }
    let heldBefore = endpoint.statistics.held
    endpoint.startWindow()
    let began = ContinuousClock.now
    let load: Duration
    switch mode {
    case .sideBySide:
      load = try await swapSideBySide(old: old, index: index, to: replacement, endpoint: endpoint, oldPort: oldPort, drainSeconds: drainSeconds)
    case .hold:
      load = try await swapHolding(old: old, index: index, to: replacement, endpoint: endpoint, oldPort: oldPort, drainSeconds: drainSeconds)
    }
    let switched = ContinuousClock.now - began
    // Requests held until now are on their way to the new engine: let them leave the hold so the
    // report counts their waits.
    let settle = ContinuousClock.now + .seconds(5)
    while endpoint.holding > 0 && ContinuousClock.now < settle { try? await Task.sleep(for: .milliseconds(20)) }
    let report = SwapReport(
      service: name, model: replacement.model, from: old.model, mode: mode, switchMilliseconds: switched.wholeMilliseconds,
      loadMilliseconds: load.wholeMilliseconds, heldRequests: endpoint.statistics.held - heldBefore,
      longestWaitMilliseconds: endpoint.windowLongestWaitMilliseconds)
    lastSwap = report
    return report
  }

  /// The side-by-side swap; returns how long the new engine took to load.
  func swapSideBySide(
    old: ServiceSpec, index: Int, to replacement: ServiceSpec, endpoint: StableEndpoint, oldPort: Int, drainSeconds: Double
  ) async throws -> Duration {
    let name = replacement.name
    // The pid file the current run does not use (it may itself have come from a swap).
    let candidatePIDFile = records[name]?.pidFile == pidFile(name) || records[name]?.pidFile == nil ? nextPIDFile(name) : pidFile(name)
    let loadStarted = Date()
    // This swap's own token: an engine adopted by an earlier swap that ends now is not this candidate.
    candidateToken += 1
    let token = candidateToken
    candidateEnded = false
    let run = Task {
      let exit = await self.runOnce(replacement, pidFile: candidatePIDFile) { pid in await self.setCandidate(pid) }
      self.endCandidate(token)
      return exit
    }
    var healthy = false
    let deadline = Date().addingTimeInterval(replacement.readinessSeconds)
    // Not healthy before the engine runs; never once its keeper has ended (a crash, or no spawn).
    while Date() < deadline && !stopping && !candidateEnded {
      try? await Task.sleep(for: settings.readinessInterval)
      guard candidateKeeper != nil, !candidateEnded, ProcessRecord.live(candidatePIDFile) != nil else { continue }
      if await prober.isHealthy(replacement.health) {
        healthy = true
        break
      }
    }
    guard healthy, !stopping, let keeper = candidateKeeper else {
      if let keeper = candidateKeeper { kill(keeper, SIGTERM) }
      let exit = await run.value
      candidateKeeper = nil
      // A keeper killed outright may have left its engine: end that group too.
      if let orphan = ProcessRecord.live(candidatePIDFile) {
        kill(-orphan, SIGKILL)
        kill(orphan, SIGKILL)
      }
      unlink(candidatePIDFile)
      let why =
        stopping
        ? "the stack is stopping"
        : Date() >= deadline ? "it was not healthy within \(Int(replacement.readinessSeconds)) s" : "it exited with status \(exit) before it was healthy"
      throw StackError.control(
        "the swap to \(replacement.model ?? name.rawValue) failed: \(why); \(old.model ?? name.rawValue) serves on. Last lines of the \(name.rawValue) log:\n"
          + logTail(name, lines: 10))
    }
    let loaded = Date().timeIntervalSince(loadStarted)
    recordLoadTime(replacement, seconds: loaded)
    // The old run ends when it has finished what it has: no restart, and its exit or its health
    // checks no longer touch the endpoint's route.
    records[name]?.retiring = true
    records[name]?.monitor?.cancel()
    // The switch: every request from here on goes to the new engine, under its name.
    servedNames[name, default: []].append(contentsOf: replacement.model.map { [$0] } ?? [])
    ready.set(name, route(replacement))
    swapProgress?.phase = .draining
    // The old engine finishes the exchanges it has (streams included), then stops.
    let drainDeadline = Date().addingTimeInterval(drainSeconds)
    while endpoint.inFlight(toEngine: oldPort) > 0 && Date() < drainDeadline { try await Task.sleep(for: .milliseconds(20)) }
    await retire(name, keepRoute: true)
    // The new run becomes the service's: supervised, restarted by its policy from here on.
    specs[index] = replacement
    candidateKeeper = nil
    candidateToken += 1
    records[name]?.restarts = 0
    records[name]?.quickExits = 0
    records[name]?.keeperPID = keeper
    records[name]?.pidFile = candidatePIDFile
    records[name]?.startedAt = loadStarted
    records[name]?.healthyAt = Date()
    records[name]?.state = .healthy
    records[name]?.runner = Task { await self.runLoop(replacement, adopting: run) }
    records[name]?.monitor?.cancel()
    records[name]?.monitor = Task { await self.monitorLoop(replacement) }
    return .seconds(loaded)
  }

  /// The hold-mode swap; returns how long the new engine took to load.
  func swapHolding(old: ServiceSpec, index: Int, to replacement: ServiceSpec, endpoint: StableEndpoint, oldPort: Int, drainSeconds: Double) async throws -> Duration {
    let name = replacement.name
    // The old run ends when it has finished what it has: its health checks must not open the
    // route again meanwhile, and its exit is not a crash to restart.
    records[name]?.retiring = true
    records[name]?.monitor?.cancel()
    ready.set(name, nil)
    // Requests under way finish on the old engine (those held meanwhile are not among them).
    let drainDeadline = Date().addingTimeInterval(drainSeconds)
    while endpoint.inFlight(toEngine: oldPort) > 0 && Date() < drainDeadline { try await Task.sleep(for: .milliseconds(20)) }
    await retire(name)
    swapProgress?.phase = .loading
    let loadStarted = ContinuousClock.now
    servedNames[name, default: []].append(contentsOf: replacement.model.map { [$0] } ?? [])
    specs[index] = replacement
    records[name]?.restarts = 0
    records[name]?.quickExits = 0
    launch(replacement)
    do {
      try await waitUntilHealthy(replacement)
    } catch {
      await retire(name)
      servedNames[name]?.removeLast()
      specs[index] = old
      records[name]?.quickExits = 0
      if stopping { throw StackError.control("the swap to \(replacement.model ?? name.rawValue) was ended: the stack is stopping") }
      launch(old)
      try? await waitUntilHealthy(old)
      throw StackError.control("the swap to \(replacement.model ?? name.rawValue) failed, and \(old.model ?? name.rawValue) serves again: \(error)")
    }
    return ContinuousClock.now - loadStarted
  }

  func nextPIDFile(_ name: ServiceName) -> String { settings.runFolder + "/\(name.rawValue).next.pid" }

  func endCandidate(_ token: Int) { if token == candidateToken { candidateEnded = true } }

  func setCandidate(_ pid: Int32) {
    candidateKeeper = pid
    if stopping { kill(pid, SIGTERM) }
  }

  /// Ends a service's current run for good (no restart), waiting until its processes are gone.
  /// `keepRoute`: the endpoint already sends to another engine.
  func retire(_ name: ServiceName, keepRoute: Bool = false) async {
    records[name]?.retiring = true
    records[name]?.monitor?.cancel()
    if let pid = records[name]?.keeperPID { kill(pid, SIGTERM) }
    await records[name]?.runner?.value
    records[name]?.retiring = false
    records[name]?.runner = nil
    records[name]?.state = .stopped
    if !keepRoute { ready.set(name, nil) }
  }
}
