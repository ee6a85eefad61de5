/// The running supervisor's answers to its control socket: each typed request goes to the one
/// service that does it.
public struct SupervisorControl: Sendable {
  public var supervisor: Supervisor
  public var swapper: StackSwapper
  /// Asks the whole stack to stop (`down`).
  public var stop: @Sendable () -> Void

  public init(supervisor: Supervisor, swapper: StackSwapper, stop: @escaping @Sendable () -> Void) {
    self.supervisor = supervisor
    self.swapper = swapper
    self.stop = stop
  }

  public func answer(_ request: ControlRequest) async -> ControlReply {
    do {
      switch request {
      case .status:
        return .status(await supervisor.status())
      case .down:
        stop()
        return .done
      case .restart(let service):
        try await supervisor.restart(service)
        return .done
      case .awaitHealthy(let service, let seconds):
        try await supervisor.waitUntilHealthy(service, seconds: seconds)
        return .done
      case .planSwap(let order):
        return .swapPlan(try await swapper.plan(order).plan)
      case .swap(let order):
        let (report, plan) = try await swapper.swap(order)
        return .swapped(report, plan: plan)
      }
    } catch {
      return .refused("\(error)")
    }
  }
}
