import Foundation
import SynapseLocalSystem

/// Idle unload and wake: the stable endpoint's activity becomes the lifecycle's `busy` and
/// `quiet` (its `ServiceLifecycle` decides when to unload and when to start again); a swap of an
/// idle engine only records the new model; and what a held streamed request is told of the load
/// it waits for (`LoadProgress`).
extension Supervisor {
  /// Hears the endpoint's first request and its last request's end.
  func watchActivity(_ name: ServiceName) {
    endpoints[name]?.observeActivity { Task { await self.activityChanged(name) } }
  }

  /// A slot became its service's current one: its endpoint reports activity when the slot unloads
  /// when idle, and the slot learns at once what is under way when reporting has just begun.
  func reportActivity(to id: Int) {
    guard let slot = slots[id], let endpoint = endpoints[slot.spec.name] else { return }
    if endpoint.reportActivity(slot.lifecycle.policy.idleAfter != nil) { noteActivity(id) }
  }

  func activityChanged(_ name: ServiceName) {
    // Read first, whatever follows: a reading left untaken would keep the next changes unheard.
    guard let reading = endpoints[name]?.takeActivity(), let id = current[name] else { return }
    noteActivity(id, reading)
  }

  /// Tells a service's current slot what its endpoint is doing now, when that changed since it
  /// last heard. Read at delivery, not carried by the callback, so callbacks that overtake one
  /// another cannot leave the lifecycle believing an old state.
  func noteActivity(_ id: Int, _ reading: (generation: Int, inFlight: Int)? = nil) {
    guard let slot = slots[id], current[slot.spec.name] == id, let endpoint = endpoints[slot.spec.name] else { return }
    let (generation, inFlight) = reading ?? endpoint.takeActivity()
    let seen = slot.activitySeen
    guard seen != generation else { return }
    slots[id]?.activitySeen = generation
    if inFlight > 0 {
      deliver(id, .busy)
    } else if slot.lifecycle.busy {
      deliver(id, .quiet)
    } else if seen != nil || generation > 0 {
      // A request came and went between two looks (or before a new slot's first look): the idle
      // period counts from now, never from before its end.
      deliver(id, .busy)
      deliver(id, .quiet)
    }
  }

  /// `swap` of an idle engine: the new model becomes the service's and loads when a request
  /// comes; nothing is started now.
  func swapWhileIdle(to replacement: ServiceSpec, mode: SwapMode, index: Int, slot: Int) -> SwapReport {
    let name = replacement.name
    let old = specs[index]
    servedNames[name, default: []].append(contentsOf: replacement.model.map { [$0] } ?? [])
    specs[index] = replacement
    slots[slot]?.spec = replacement
    var report = SwapReport(
      service: name, model: replacement.model, from: old.model, mode: mode, switchMilliseconds: 0, loadMilliseconds: 0, heldRequests: 0,
      longestWaitMilliseconds: 0)
    report.warnings = [
      "\(name.rawValue) is idle (unloaded for want of requests): \(replacement.model ?? name.rawValue) loads when the next request comes"
    ]
    lastSwap = report
    publishLoad(name)
    return report
  }

  /// What the endpoint tells a streamed request it holds: the load under way (measured when
  /// asked), a swap's drain, or the failure that ends the wait.
  func publishLoad(_ name: ServiceName) {
    guard let endpoint = endpoints[name], let id = current[name], let slot = slots[id] else { return }
    let spec = slot.spec
    let model = spec.model ?? name.rawValue
    if let swap = swapRun?.lifecycle, swap.service == name, swap.holdsRequests {
      let text = "swapping to \(swap.to.model ?? model): the answers under way finish first"
      return endpoint.progress.set(.waiting { text })
    }
    switch slot.lifecycle.phase {
    case .healthy, .unhealthy:
      endpoint.progress.set(.serving)
    case .failed, .stopped, .stopping:
      // (Without the log's lines: they may hold what other clients sent.)
      let reason = slot.lifecycle.message?.components(separatedBy: ServiceStatus.logTailMarker).first ?? "it stopped"
      endpoint.progress.set(.failed("\(name.rawValue) could not load \(model): \(reason)"))
    default:
      let size = spec.modelPath.flatMap { context.files.size($0) }
      let (files, table, pidFile) = (context.files, context.processTable, slot.pidFile)
      endpoint.progress.set(
        .waiting {
          let pid = ProcessRecord.live(pidFile, files: files, table: table)
          let read = pid.flatMap { pid in
            LoadReading.bytesRead(io: table.system.readText("/proc/\(pid)/io"), status: table.system.readText("/proc/\(pid)/status"))
          }
          return LoadReading.line(model: model, read: read, size: size)
        })
    }
  }
}
