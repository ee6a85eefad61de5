import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The launcher's parts: started in order, stopped in reverse, also when a later start fails, the
/// body throws, or the task is cancelled.
@Suite("service group")
struct ServiceGroupTests {
  /// What the parts did, in order.
  final class Journal: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func note(_ line: String) { lock.withLock { lines.append(line) } }
    var entries: [String] { lock.withLock { lines } }
  }

  struct Refused: Error {}

  let journal = Journal()

  func part(_ name: String, fails: Bool = false) -> ServiceGroup.Part {
    let journal = journal
    return .init(name) {
      if fails {
        journal.note("refuse \(name)")
        throw Refused()
      }
      journal.note("start \(name)")
      return { journal.note("stop \(name)") }
    }
  }

  @Test func partsStartInOrderAndStopInReverseAfterTheBody() async throws {
    let journal = journal
    let value = try await ServiceGroup([part("socket"), part("pid file"), part("supervisor")]).run {
      journal.note("body")
      return 7
    }
    #expect(value == 7)
    #expect(
      journal.entries == [
        "start socket", "start pid file", "start supervisor", "body", "stop supervisor", "stop pid file", "stop socket",
      ])
  }

  @Test func aLaterPartThatFailsToStartStopsTheOnesBeforeIt() async throws {
    let journal = journal
    await #expect(throws: Refused.self) {
      try await ServiceGroup([part("socket"), part("status port"), part("pid file", fails: true), part("supervisor")]).run {
        journal.note("body")
      }
    }
    #expect(journal.entries == ["start socket", "start status port", "refuse pid file", "stop status port", "stop socket"])
  }

  @Test func aBodyThatThrowsStopsEveryPart() async throws {
    await #expect(throws: Refused.self) {
      try await ServiceGroup([part("socket"), part("supervisor")]).run { throw Refused() }
    }
    #expect(journal.entries == ["start socket", "start supervisor", "stop supervisor", "stop socket"])
  }

  @Test func cancellationStopsEveryStartedPartInReverse() async throws {
    let clock = ManualClock()
    let group = ServiceGroup([part("socket"), part("signals"), part("supervisor")])
    let running = Task { try await group.run { try await clock.sleep(for: .seconds(3600)) } }
    for _ in 0..<2000 where clock.sleeping == 0 { try await Task.sleep(for: .milliseconds(1)) }
    #expect(clock.sleeping == 1)
    running.cancel()
    await #expect(throws: CancellationError.self) { try await running.value }
    #expect(
      journal.entries == ["start socket", "start signals", "start supervisor", "stop supervisor", "stop signals", "stop socket"])
  }

  @Test func aCancelledTaskStartsNothing() async throws {
    let group = ServiceGroup([part("socket"), part("supervisor")])
    let running = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      return try await group.run { journal.note("body") }
    }
    await #expect(throws: CancellationError.self) { try await running.value }
    #expect(journal.entries.isEmpty)
  }
}
