import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// `status --watch`: frames that fit the terminal, redrawn only when they change, a stopped stack
/// watched until it comes up, and `q` (or the input's end) leaving.
@Suite("status --watch")
struct StatusWatchTests {
  static func service(_ name: ServiceName, _ state: ServiceStatus.State, restarts: Int = 0, model: String? = nil) -> ServiceStatus {
    var status = ServiceStatus(
      name: name, state: state, pid: 100, restarts: restarts, port: 8080, enginePort: nil, uptimeSeconds: 65, rssBytes: 3 << 20,
      model: model, lastExit: nil, message: nil)
    status.servedName = model
    return status
  }

  static func running(llm state: ServiceStatus.State = .healthy, restarts: Int = 0) -> StackStatusReader.Answer {
    var status = StackStatus(
      project: "/p", supervisorPID: 7,
      services: [service(.db, .healthy), service(.llm, state, restarts: restarts, model: "SmolLM2-135M-Instruct")])
    status.statusPort = 8790
    return .running(status)
  }

  @Test func theTableFitsTheWidthDroppingColumnsFromTheLeastNeeded() {
    let wide = StatusFrame.render(Self.running(), width: 120, now: .testing)
    #expect(wide.contains { $0.hasPrefix("SERVICE") && $0.contains("MODEL") && $0.contains("PID") }, "\(wide)")
    #expect(wide.contains { $0.hasPrefix("llm") && $0.contains("healthy") && $0.contains("SmolLM2-135M-Instruct") && $0.contains("1m5s") })
    #expect(wide.contains("q or Ctrl-C leaves; redrawn every second; page: http://127.0.0.1:8790/"))
    let narrow = StatusFrame.render(Self.running(), width: 40, now: .testing)
    #expect(narrow.allSatisfy { DisplayWidth.of($0) <= 40 }, "\(narrow)")
    let header = narrow.first { $0.hasPrefix("SERVICE") }
    #expect(header?.contains("STATE") == true && header?.contains("RESTARTS") == true && header?.contains("MODEL") == false, "\(narrow)")
    // The narrowest keeps the service and its state, and cuts the rest with "…".
    let tiny = StatusFrame.render(Self.running(llm: .degraded), width: 20, now: .testing)
    #expect(tiny.contains { $0.hasPrefix("llm") && $0.contains("degraded") }, "\(tiny)")
    #expect(tiny.allSatisfy { DisplayWidth.of($0) <= 20 } && tiny.contains { $0.hasSuffix("…") }, "\(tiny)")
  }

  @Test func aSlowEngineAFailureAndAStoppedStackAreSaid() {
    var status = StackStatus(project: "/p", supervisorPID: 7, services: [Self.service(.llm, .degraded)])
    status.services[0].slowness = ServiceStatus.Slowness(
      measuredTokensPerSecond: 3.14, expectedTokensPerSecond: 12, expectedFrom: "bench", slowWindows: 3)
    status.services[0].message = "it failed" + ServiceStatus.logTailMarker + "secret log line"
    let frame = StatusFrame.render(.running(status), width: 200, now: .testing)
    #expect(frame.contains("llm: slow: 3.1 tok/s against 12.0 expected (bench), 3 windows in a row"), "\(frame)")
    #expect(frame.contains("llm: it failed") && !frame.contains { $0.contains("secret log line") }, "\(frame)")
    let stopped = StatusFrame.render(.stopped(StoppedStack(project: "/p", lastStartFailure: "cannot listen")), width: 200, now: .testing)
    #expect(stopped.first?.hasPrefix("/p: stopped") == true && stopped.contains("its last start failed: cannot listen"), "\(stopped)")
    #expect(stopped.contains("Watching for it to start (synapse-local up -d --project /p)."))
  }

  final class RecordingScreen: StatusScreen, @unchecked Sendable {
    let lock = NSLock()
    var frames: [[String]] = []
    var width: Int { 100 }
    func draw(_ lines: [String]) { lock.withLock { frames.append(lines) } }
    var count: Int { lock.withLock { frames.count } }
    var last: [String] { lock.withLock { frames.last ?? [] } }
  }

  final class Answers: @unchecked Sendable {
    let lock = NSLock()
    var next: [StackStatusReader.Answer]
    init(_ answers: [StackStatusReader.Answer]) { next = answers }
    func read() -> StackStatusReader.Answer { lock.withLock { next.count > 1 ? next.removeFirst() : next[0] } }
  }

  @Test func aStoppedStackIsWatchedUntilItComesUpAndQLeaves() async throws {
    let clock = ManualClock()
    let screen = RecordingScreen()
    let answers = Answers([
      .stopped(StoppedStack(project: "/p", lastStartFailure: nil)), Self.running(), Self.running(), Self.running(restarts: 1),
    ])
    let (keys, input) = AsyncStream<WatchKey>.makeStream()
    let watch = Task {
      try await StatusWatch(context: .testing(time: clock)).run(project: "/p", screen: screen, keys: keys) { _ in answers.read() }
    }
    func tick(until frames: Int) async throws {
      for _ in 0..<2000 where screen.count < frames {
        if clock.sleeping > 0 { clock.advance(by: 1) }
        try await Task.sleep(for: .milliseconds(1))
      }
    }
    try await tick(until: 1)
    #expect(screen.last.first?.hasPrefix("/p: stopped") == true, "\(screen.last)")
    try await tick(until: 2)
    #expect(screen.last.contains { $0.hasPrefix("llm") && $0.contains("healthy") }, "\(screen.last)")
    // Each second's frame (its clock moves) until the restart shows.
    try await tick(until: 4)
    #expect(screen.count == 4 && screen.last.contains { $0.hasPrefix("llm") && $0.contains("healthy  1  ") }, "\(screen.frames)")
    // No frame comes between two seconds of the clock.
    try await Task.sleep(for: .milliseconds(50))
    #expect(screen.count == 4)
    input.yield(.other)
    input.yield(.quit)
    try await watch.value
  }

  @Test func theEndOfTheInputLeavesAndAProjectThatCannotBeReadIsAnError() async throws {
    let (keys, input) = AsyncStream<WatchKey>.makeStream()
    input.finish()
    try await StatusWatch(context: .testing(time: ManualClock())).run(project: "/p", screen: RecordingScreen(), keys: keys) { _ in
      Self.running()
    }
    struct Unreadable: Error {}
    await #expect(throws: Unreadable.self) {
      try await StatusWatch(context: .testing(time: ManualClock())).run(project: "/p", screen: RecordingScreen(), keys: keys) { _ in
        throw Unreadable()
      }
    }
  }
}
