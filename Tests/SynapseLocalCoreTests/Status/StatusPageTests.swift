import Foundation
import SynapseLocalSystem
import Testing

@testable import SynapseLocalCore

/// `/api/status` for this host and for others: a failed service's log lines (what was sent to the
/// backend or the database can be in them) never leave loopback, even with the models key.
@Suite("status page")
struct StatusPageTests {
  static func failedStack() -> StackStatus {
    let reason = "exited 3 times in a row (last status 1)"
    let failed = ServiceStatus(
      name: .db, state: .failed, pid: nil, restarts: 3, port: 5432, enginePort: nil, uptimeSeconds: nil, rssBytes: nil, model: nil,
      lastExit: 1,
      message: reason + ServiceStatus.logTailMarker + "FATAL: password authentication failed for user \"synapse\"\nquery: SELECT secret")
    let healthy = ServiceStatus(
      name: .llm, state: .healthy, pid: 42, restarts: 0, port: 8080, enginePort: 18080, uptimeSeconds: 5, rssBytes: 1, model: "m",
      lastExit: nil, message: nil)
    return StackStatus(project: "/p", supervisorPID: 1, services: [failed, healthy])
  }

  @Test func anotherHostGetsTheReasonWithoutTheLogLines() throws {
    let status = Self.failedStack()
    let remote = String(decoding: try StatusServer.statusPage(status, loopback: false), as: UTF8.self)
    let local = String(decoding: try StatusServer.statusPage(status, loopback: true), as: UTF8.self)
    #expect(!remote.contains("SELECT secret") && !remote.contains("password authentication") && !remote.contains("last lines"), "\(remote)")
    #expect(remote.contains("exited 3 times in a row (last status 1)") && remote.contains("\"healthy\""), "\(remote)")
    #expect(local.contains("SELECT secret") && local.contains("last lines of its log"), "\(local)")
    // Loopback reads `status --json` byte for byte; another host the same less the log lines.
    #expect(try StatusServer.statusPage(status, loopback: true) == Array(try JSONDocument.encode(status)))
    var expected = status
    expected.services[0].message = "exited 3 times in a row (last status 1)"
    #expect(try StatusServer.statusPage(status, loopback: false) == Array(try JSONDocument.encode(expected)))
  }
}
