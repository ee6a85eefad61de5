import Foundation
import SynapseLocalSystem

/// A swap under way in the supervisor: its lifecycle, and what the lifecycle's roles are here (the
/// slots, the stable endpoint, the one waiting for the outcome).
struct SwapRun {
  /// Names this run, so a late callback (an endpoint drained, a timer) from an earlier swap
  /// changes nothing.
  let id = UUID()
  var lifecycle: SwapLifecycle
  /// Where the service's spec is in the supervisor's list.
  let index: Int
  let endpoint: StableEndpoint
  let oldSlot: Int
  /// The old engine's port, whose exchanges are drained.
  let oldPort: Int
  /// The new engine's slot, once started; hold rollback's restarted old engine.
  var newSlot: Int?
  var restoredSlot: Int?
  /// The endpoint's held count when the swap began (the report counts those since).
  let heldBefore: Int
  /// The lifecycle's pending timer.
  var timer: Task<Void, Never>?
  let caller: CheckedContinuation<SwapReport, any Error>
}
