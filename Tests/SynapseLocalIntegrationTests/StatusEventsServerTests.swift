import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The status port's page and `/api/events` on the real server (SwiftNIO), read by curl: the page
/// with its security headers, and a stream of events that follows a change within a second.
@Suite("status page: the server", .tags(.integration))
struct StatusEventsServerTests {
  final class World: @unchecked Sendable {
    private let lock = NSLock()
    private var state = ServiceStatus.State.healthy
    var current: ServiceStatus.State {
      get { lock.withLock { state } }
      set { lock.withLock { state = newValue } }
    }
  }

  @Test(.timeLimit(.minutes(1))) func thePageAndItsEventsFollowTheStack() async throws {
    let world = World()
    let board = StatusBoard(
      sources: .init(
        status: {
          StackStatus(
            project: "/p", supervisorPID: 1,
            services: [
              ServiceStatus(
                name: .llm, state: world.current, pid: 2, restarts: 0, port: 1, enginePort: 2, uptimeSeconds: 1, rssBytes: 1,
                model: "m", lastExit: nil, message: nil)
            ])
        }, engine: { nil }, logs: { [] }),
      files: RootedFileSystem(), time: SystemTime())
    let server = try StatusServer(
      port: try Loopback.freePort(),
      pages: .init(
        metrics: { [] }, status: { await board.snapshot().status }, board: board,
        page: StatusPage(folder: Fixtures.repositoryRoot + "/templates/status", files: RootedFileSystem())))
    defer { server.close() }
    let base = "http://127.0.0.1:\(server.port)"
    let (_, page) = try await runCommand("/usr/bin/curl", ["-si", base + "/"])
    #expect(page.hasPrefix("HTTP/1.1 200") && page.contains("script-src 'self'") && page.contains("<th scope=\"row\">llm</th>"), "\(page)")
    let (_, script) = try await runCommand("/usr/bin/curl", ["-s", base + "/status.js"])
    #expect(script.contains("EventSource"))

    let events = Task { try await runCommand("/usr/bin/curl", ["-siN", "--max-time", "2.5", base + "/api/events"]) }
    try await Task.sleep(for: .seconds(1))
    world.current = .restarting
    let (_, stream) = try await events.value
    #expect(stream.hasPrefix("HTTP/1.1 200") && stream.lowercased().contains("content-type: text/event-stream"), "\(stream)")
    let statuses = stream.components(separatedBy: "event: status\ndata: ").dropFirst()
    #expect(statuses.count == 2, "\(stream)")
    #expect(statuses.first?.contains(#""state":"healthy""#) == true && statuses.last?.contains(#""state":"restarting""#) == true)
  }
}
