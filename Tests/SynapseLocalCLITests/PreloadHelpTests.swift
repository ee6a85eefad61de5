import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCLI

/// `up --help` teaches idle unloading's one flag: what --preload does, and what `up` does without it.
@Suite("up --preload")
struct PreloadHelpTests {
  @Test func upHelpTeachesPreload() async throws {
    let result = await InProcessCLI.run(["up", "--help"], context: InProcessCLI.context())
    #expect(result.status == 0, "\(result.stderr)")
    let text = result.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
    #expect(text.contains("--preload Load every engine now, even one that unloads when idle"), "\(result.stdout)")
    #expect(text.contains("is not loaded at `up`: it reads idle, and the first request loads it"), "\(result.stdout)")
    #expect(result.stdout.contains("synapse-local up -d --preload\n"))
  }
}

/// `status` says which engines are unloaded for want of requests, and how often one was woken.
@Suite("status of idle engines")
struct IdleStatusTableTests {
  @Test func idleEnginesAndWakesAreSaid() {
    func service(_ name: ServiceName, _ state: ServiceStatus.State, wakes: Int) -> ServiceStatus {
      var status = ServiceStatus(
        name: name, state: state, pid: nil, restarts: 0, port: 8080, enginePort: 9000, uptimeSeconds: nil, rssBytes: nil,
        model: "SmolLM2-135M-Instruct", lastExit: 0, message: nil)
      status.wakes = wakes
      return status
    }
    let stack = StackStatus(
      project: "/p", supervisorPID: 1,
      services: [service(.llm, .idle, wakes: 1), service(.embedding, .healthy, wakes: 3), service(.db, .healthy, wakes: 0)])
    let output = RecordingOutput()
    StatusTable.print(stack, to: output, now: Date())
    let text = output.standardOutput + output.lines.joined(separator: "\n")
    #expect(text.contains("llm        idle"), "\(text)")
    #expect(text.contains("llm is idle (unloaded): the next request loads it; woken once since up"), "\(text)")
    #expect(text.contains("embedding unloads when idle; woken 3 times since up"), "\(text)")
    #expect(!text.contains("db unloads"))
  }

  @Test func aDegradedEngineIsSaidWithItsFiguresAndThePageIsNamed() {
    var llm = ServiceStatus(
      name: .llm, state: .degraded, pid: 7, restarts: 0, port: 8080, enginePort: 9000, uptimeSeconds: 60, rssBytes: 1 << 20,
      model: "SmolLM2-135M-Instruct", lastExit: nil, message: nil)
    llm.slowness = ServiceStatus.Slowness(measuredTokensPerSecond: 3.14, expectedTokensPerSecond: 12, expectedFrom: "bench", slowWindows: 3)
    var stack = StackStatus(project: "/p", supervisorPID: 1, services: [llm])
    stack.statusPort = 8790
    let output = RecordingOutput()
    StatusTable.print(stack, to: output, now: Date())
    let text = output.standardOutput + output.lines.joined(separator: "\n")
    #expect(text.contains("page at http://127.0.0.1:8790/, metrics at /metrics"), "\(text)")
    #expect(
      text.contains(
        "llm is degraded: 3.1 tok/s against 12.0 expected (bench), 3 windows in a row; `synapse-local doctor` names the likely causes"),
      "\(text)")
  }
}
