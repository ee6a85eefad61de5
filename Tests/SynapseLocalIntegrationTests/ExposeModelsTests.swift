import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `expose_models`: the stable endpoint listens on every interface; a client on another host (a
/// network namespace joined to this one by a veth pair) is refused without the key and answered
/// with it, while loopback clients need none.
@Suite("expose_models", .tags(.integration), .serialized)
struct ExposeModelsTests {
  /// Network namespaces need root and iproute2 (scripts/testbed installs it). With the test bed
  /// required, their absence fails the test instead of skipping it.
  static var canMakeNamespaces: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") }

  static func requireNamespaces() throws {
    try #require(getuid() == 0, "expose_models is tested from a network namespace, which needs root")
    try #require(
      FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip"), "/usr/sbin/ip is missing: install iproute2 (scripts/testbed does)")
  }

  /// A namespace named `name` with 10.213.<subnet>.2, reaching this host at 10.213.<subnet>.1.
  struct Namespace {
    let name: String
    let link: String
    let hostAddress: String

    static func make(subnet: Int) async throws -> Namespace {
      let tag = String(UUID().uuidString.prefix(6)).lowercased()
      let namespace = Namespace(name: "sl-\(tag)", link: "sl\(tag)h", hostAddress: "10.213.\(subnet).1")
      let peer = "sl\(tag)n"
      let steps: [[String]] = [
        ["netns", "add", namespace.name],
        ["link", "add", namespace.link, "type", "veth", "peer", "name", peer],
        ["link", "set", peer, "netns", namespace.name],
        ["addr", "add", "\(namespace.hostAddress)/30", "dev", namespace.link],
        ["link", "set", namespace.link, "up"],
        ["netns", "exec", namespace.name, "ip", "addr", "add", "10.213.\(subnet).2/30", "dev", peer],
        ["netns", "exec", namespace.name, "ip", "link", "set", peer, "up"],
        ["netns", "exec", namespace.name, "ip", "link", "set", "lo", "up"],
      ]
      for step in steps {
        let (status, output) = try await runCommand("/usr/sbin/ip", step)
        if status != 0 {
          await namespace.remove()
          throw TestFailure("ip \(step.joined(separator: " ")): \(output)")
        }
      }
      return namespace
    }

    /// The HTTP status of GET url from inside the namespace (one attempt).
    func status(_ url: String, key: String? = nil) async throws -> Int {
      let header = key.map { ["-H", "Authorization: Bearer \($0)"] } ?? []
      let (_, output) = try await runCommand(
        "/usr/sbin/ip", ["netns", "exec", name, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"] + header + [url])
      return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// The body of GET url from inside the namespace.
    func body(_ url: String, key: String) async throws -> String {
      let (_, output) = try await runCommand(
        "/usr/sbin/ip", ["netns", "exec", name, "curl", "-s", "--max-time", "10", "-H", "Authorization: Bearer \(key)", url])
      return output
    }

    func remove() async {
      _ = try? await runCommand("/usr/sbin/ip", ["link", "del", link])
      _ = try? await runCommand("/usr/sbin/ip", ["netns", "del", name])
    }
  }

  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.isRequired || (canMakeNamespaces && TestBed.shouldRun(.python))))
  func otherHostsNeedTheKeyLoopbackDoesNot() async throws {
    try Self.requireNamespaces()
    let base = NSTemporaryDirectory() + "expose-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: base) }
    // The engine: a file server answering /v1/models from a folder.
    try FileManager.default.createDirectory(atPath: base + "/www/v1", withIntermediateDirectories: true)
    try Data(#"{"object": "list", "data": [{"id": "standin"}]}"#.utf8).write(to: URL(fileURLWithPath: base + "/www/v1/models"))
    let (port, enginePort) = (try Loopback.freePort(), try Loopback.freePort())
    var spec = ServiceSpec(
      name: .llm, executable: try TestBed.require(.python),
      // -u: its "Serving HTTP on" line reaches the log at once (a line the status page shows).
      arguments: ["-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", base + "/www", String(enginePort)],
      environment: ProcessInfo.processInfo.environment, port: port, health: .http(url: "http://127.0.0.1:\(enginePort)/v1/models"),
      readinessSeconds: 20, model: "standin")
    spec.enginePort = enginePort
    let key = try ModelsKey.loadOrCreate(state: base + "/state", files: RootedFileSystem())
    let attributes = try FileManager.default.attributesOfItem(atPath: ModelsKey.path(state: base + "/state"))
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    #expect(try ModelsKey.loadOrCreate(state: base + "/state", files: RootedFileSystem()) == key, "the key is kept")
    var settings = Supervisor.Settings(keeperExecutable: Fixtures.executable, runFolder: base + "/run", logFolder: base + "/logs")
    settings.readinessInterval = .milliseconds(100)
    settings.endpointHost = "0.0.0.0"
    settings.remoteKey = key
    let supervisor = Supervisor(project: base, specs: [spec], settings: settings, context: .live())
    try await supervisor.start()
    // The status port follows the same rule as the model endpoints. Its status says the llm
    // failed, with a log line only this host may read.
    let logLine = "prompt: the user's private question"
    let failedStatus: @Sendable () async -> StackStatus = {
      var status = await supervisor.status()
      status.services[0].message = "exited with status 1" + ServiceStatus.logTailMarker + logLine
      return status
    }
    // Issue 38: the status page too, with the engine's log (its health checks left out).
    let board = StatusBoard(
      sources: .init(status: failedStatus, engine: { nil }, logs: { await supervisor.logSources() }), files: RootedFileSystem(),
      time: SystemTime())
    let statusPort = try StatusServer(
      host: "0.0.0.0", port: try Loopback.freePort(), remoteKey: key,
      pages: StatusServer.Pages(
        metrics: { await supervisor.metricsExposition() }, status: failedStatus, board: board,
        page: StatusPage(folder: Fixtures.repositoryRoot + "/templates/status", files: RootedFileSystem())))
    defer { statusPort.close() }
    let namespace: Namespace
    do {
      namespace = try await Namespace.make(subnet: Int.random(in: 1...250))
    } catch {
      await supervisor.stop()
      throw error
    }
    do {
      let remote = "http://\(namespace.hostAddress):\(port)/v1/models"
      #expect(try await namespace.status(remote) == 401)
      #expect(try await namespace.status(remote, key: "sl-wrong-key-of-another-project-0000000000") == 401)
      #expect(try await namespace.status(remote, key: key) == 200)
      // The engine itself stays on loopback: unreachable from the other host.
      #expect(try await namespace.status("http://\(namespace.hostAddress):\(enginePort)/v1/models", key: key) == 0)
      let (local, _) = try await Loopback.request("http://127.0.0.1:\(port)/v1/models")
      #expect(local == 200)
      let metrics = "http://\(namespace.hostAddress):\(statusPort.port)/metrics"
      #expect(try await namespace.status(metrics) == 401)
      #expect(try await namespace.status(metrics, key: key) == 200)
      let (localMetrics, localStatus) = try await Loopback.request("http://127.0.0.1:\(statusPort.port)/api/status")
      #expect(localMetrics == 200 && String(decoding: localStatus, as: UTF8.self).contains(logLine))
      // Another host with the key reads the status, not the log.
      let remoteStatus = try await namespace.body("http://\(namespace.hostAddress):\(statusPort.port)/api/status", key: key)
      #expect(remoteStatus.contains("exited with status 1") && !remoteStatus.contains(logLine), "\(remoteStatus)")
      // The page and its events: the key from other hosts, and no log lines for them.
      let page = "http://\(namespace.hostAddress):\(statusPort.port)/"
      #expect(try await namespace.status(page) == 401)
      #expect(try await namespace.status(page + "api/events") == 401)
      let remotePage = try await namespace.body(page, key: key)
      #expect(remotePage.contains("Log lines are shown on this host only.") && remotePage.contains("exited with status 1"), "\(remotePage)")
      #expect(!remotePage.contains(logLine) && !remotePage.contains("Serving HTTP"), "\(remotePage)")
      let (_, localPage) = try await runCommand("/usr/bin/curl", ["-s", "http://127.0.0.1:\(statusPort.port)/"])
      #expect(localPage.contains("Serving HTTP on 127.0.0.1") && !localPage.contains("GET /v1/models"), "\(localPage)")
      let statistics = await supervisor.endpointStatistics()[.llm]
      #expect(statistics?.refused == 2)
      // Never logged.
      let logs = (try? FileManager.default.contentsOfDirectory(atPath: base + "/logs")) ?? []
      for log in logs { #expect(!(try String(contentsOfFile: base + "/logs/" + log, encoding: .utf8)).contains(key)) }
    } catch {
      await namespace.remove()
      await supervisor.stop()
      throw error
    }
    await namespace.remove()
    await supervisor.stop()
  }
}
