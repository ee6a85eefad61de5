import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The command line as a user or a script meets it: exit codes, stdout/stderr split, JSON shapes.
/// Run in this process (`InProcessCLI`); a few tests run the built binary end to end.
@Suite("synapse-local command line")
struct CLITests {
  func run(_ arguments: [String], machine: String? = nil, environment: [String: String] = [:]) async throws -> CLIResult {
    await InProcessCLI.run(arguments, context: InProcessCLI.context(machine: machine, environment: environment))
  }

  /// The built binary, run as a user would.
  func binary(_ arguments: [String], machine: String? = nil, environment: [String: String] = [:]) async throws -> CLIResult {
    var env = environment
    // Never touch the user's real model store.
    if env["HF_HUB_CACHE"] == nil { env["HF_HUB_CACHE"] = NSTemporaryDirectory() + "synapse-local-cli-test-hub" }
    if let machine {
      env["SYNAPSE_LOCAL_SYSROOT"] = Fixtures.machine(machine)
      env["PATH"] = Fixtures.machine(machine) + "/bin:/usr/bin:/bin"
    }
    return try await CLIRunner.run(arguments, environment: env)
  }

  /// Runs `recommend --hardware FILE` with FILE holding `hardware`.
  func recommend(hardware: String, _ extra: [String] = []) async throws -> CLIResult {
    let file = NSTemporaryDirectory() + "synapse-local-hw-\(UUID().uuidString).json"
    try hardware.write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    return try await run(["recommend", "--hardware", file] + extra)
  }

  func json(_ result: CLIResult) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  @Test func helpTeachesTheCommands() async throws {
    let result = try await binary(["--help"])
    #expect(result.status == 0)
    for command in ["detect", "recommend", "inspect", "catalog", "models"] { #expect(result.stdout.contains(command)) }
    let models = try await binary(["models", "--help"])
    for command in ["import", "list", "verify", "rm"] { #expect(models.stdout.contains(command)) }
    let recommend = try await binary(["recommend", "--help"])
    #expect(recommend.stdout.contains("--hardware") && recommend.stdout.contains("--prefer") && recommend.stdout.contains("Examples"))
  }

  /// The `detect --json` contract for scripts, on a fixture machine through SYNAPSE_LOCAL_SYSROOT.
  @Test func swapRefusesWhatItCannotDoInOneLine() async throws {
    let db = try await run(["swap", "db", "postgres-17"])
    #expect(db.status == 64 && db.stderr.contains("only llm and embedding have models to swap, not db"))
    let flag = try await run(["swap", "llm", "gemma-3-270m-q4", "--allow-dimension-change"])
    #expect(flag.status == 64 && flag.stderr.contains("--allow-dimension-change applies to `swap embedding` only"))
    let empty = try await run(["swap", "embedding", "", "--project", NSTemporaryDirectory()])
    #expect(empty.status == 64 && empty.stderr.contains("an empty model REF"))
    let help = try await run(["swap", "--help"])
    for phrase in ["Side by side", "Hold", "--hold", "--allow-dimension-change", "re-embed"] {
      #expect(help.stdout.contains(phrase), "\(phrase)")
    }
  }

  @Test func detectJSONContract() async throws {
    let result = try await run(["detect", "--json"], machine: "container-v2-limited")
    #expect(result.status == 0, "\(result.stderr)")
    let report = try json(result)
    let memory = try #require(report["memory"] as? [String: Any])
    #expect(memory["total_bytes"] as? UInt64 == 65_842_980 * 1024)
    #expect(memory["limit_bytes"] as? UInt64 == 8 << 30)
    #expect(memory["effective_bytes"] as? UInt64 == (7 << 30) + (256 << 20))
    #expect(memory.keys.contains("available_bytes"))
    let cpu = try #require(report["cpu"] as? [String: Any])
    #expect(cpu["logical_cores"] as? Int == 16)
    #expect(cpu["physical_cores"] as? Int == 8)
    #expect(cpu["quota_cores"] as? Double == 1.5)
    #expect(cpu["effective_cores"] as? Int == 1)
    #expect(cpu["arch"] as? String == "x86_64")
    #expect((cpu["features"] as? [String])?.contains("avx2") == true)
    #expect((report["gpus"] as? [Any])?.isEmpty == true)
    #expect(report["cuda_version"] is NSNull)
    #expect((report["warnings"] as? [String]) != nil)
  }

  @Test func detectGPUFieldsInJSON() async throws {
    let report = try json(try await run(["detect", "--json"], machine: "old-driver-server"))
    let gpus = try #require(report["gpus"] as? [[String: Any]])
    #expect(gpus.count == 2)
    #expect(gpus[0]["name"] as? String == "Tesla T4")
    #expect(gpus[0]["memory_total_bytes"] as? UInt64 == 15109 * 1_048_576)
    #expect(gpus[0]["memory_free_bytes"] as? UInt64 == 14960 * 1_048_576)
    #expect(gpus[0]["compute_capability"] as? String == "7.5")
    #expect(gpus[1]["compute_capability"] is NSNull)
    #expect(gpus[0]["driver_version"] as? String == "470.82.01")
    #expect(report["cuda_version"] as? String == "11.4")
  }

  /// One real run of the binary on this machine.
  @Test func detectOnThisMachine() async throws {
    let result = try await binary(["detect", "--json"])
    #expect(result.status == 0)
    let memory = try #require(try json(result)["memory"] as? [String: Any])
    let total = try #require(memory["total_bytes"] as? UInt64)
    #expect(total == ProcessInfo.processInfo.physicalMemory)
    let table = try await binary(["detect"])
    #expect(table.stdout.contains("effective") && table.stdout.contains("Memory"))
  }

  /// Plan for another machine from its `detect --json`.
  @Test func recommendForAnotherMachine() async throws {
    let detected = try await run(["detect", "--json"], machine: "gpu-workstation")
    let result = try await recommend(hardware: detected.stdout, ["--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let recommendation = try json(result)
    // RTX 4090 with CUDA 12.4 and 60 GB of RAM: vLLM with Llama 3.1 8B (docs/recommendation.md).
    #expect(recommendation["engine"] as? String == "vllm")
    let llm = try #require(recommendation["llm"] as? [String: Any])
    #expect(llm["id"] as? String == "llama-3.1-8b-q5")
    #expect(llm["name"] as? String == "Llama-3.1-8B-Instruct" && llm["served_name"] as? String == "Llama-3.1-8B-Instruct")
    #expect(llm["repository"] as? String == "meta-llama/Llama-3.1-8B-Instruct")
    #expect(llm["estimate_bytes"] as? UInt64 ?? 0 > 0)
    let embedding = try #require(recommendation["embedding"] as? [String: Any])
    #expect(embedding["id"] as? String == "all-minilm-l6-v2")
    #expect(embedding["name"] as? String == "all-MiniLM-L6-v2")
    #expect(embedding["dimensions"] as? Int == 384)
    let vllm = try #require(recommendation["vllm"] as? [String: Any])
    #expect(vllm["tensor_parallel_size"] as? Int == 1)
    #expect(vllm["max_model_len"] as? Int == 4096)
    #expect(vllm["gpu_memory_utilization"] as? Double == 0.9)
    #expect(recommendation["llama_server"] is NSNull)
    #expect((recommendation["reasons"] as? [String])?.isEmpty == false)
  }

  @Test func recommendLlamaCppFlagsInJSON() async throws {
    let result = try await run(["recommend", "--json"], machine: "laptop-v2")
    #expect(result.status == 0, "\(result.stderr)")
    let recommendation = try json(result)
    #expect(recommendation["engine"] as? String == "llama.cpp")
    let flags = try #require(recommendation["llama_server"] as? [String: Any])
    #expect(flags["n_gpu_layers"] as? Int == 0)
    #expect(flags["threads"] as? Int == 4)
    #expect(flags["ctx_size"] as? Int ?? 0 >= 4096)
    let llm = try #require(recommendation["llm"] as? [String: Any])
    #expect((llm["path"] as? String)?.hasSuffix(".gguf") == true)
  }

  @Test func nothingFitsExitsNonZero() async throws {
    let result = try await recommend(hardware: #"{"memory": {"total_bytes": 2147483648}, "cpu": {"logical_cores": 2}}"#)
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("no catalog chat model fits"))
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  /// Bad input: one line on stderr saying what to do, exit 1, nothing on stdout, no stack trace.
  @Test(arguments: [
    (["recommend", "--hardware", "/nonexistent.json"], "cannot be read"),
    (["recommend", "--embedding", "nope"], "not a catalog embedding model"),
    (["inspect", "/nonexistent.gguf"], "cannot read /nonexistent.gguf"),
    (["inspect", "/etc/hostname"], "not a GGUF file"),
    (["inspect", "TheBloke/x"], "is a whole repository, and llama.cpp loads one GGUF file: name it, as TheBloke/x/FILE.gguf"),
    (["models", "import", "/nonexistent-model", "--as", "acme/x"], "does not exist"),
    (["models", "import", "/etc/hostname", "--as", "acme/x/../y"], "not a safe path"),
    (["models", "import", "/etc/hostname", "--as", "acme"], "is not a repository"),
    (["models", "rm", "acme/never-stored"], "not in the model store"),
  ])
  func badInput(arguments: [String], message: String) async throws {
    let result = try await run(arguments)
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains(message), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
  }

  /// A command line argument-parser refuses reads like every other error: one line, our prefix,
  /// the command's help named, and exit status 64 (README's table).
  @Test(arguments: [
    (["status", "--bogus"], "Unknown option '--bogus'", "synapse-local status --help"),
    (["logs", "-n", "many"], "'many' is invalid", "synapse-local logs --help"),
    (["models", "rm"], "Missing expected argument", "synapse-local models rm --help"),
    (["swap", "db", "x"], "only llm and embedding have models to swap", "synapse-local swap --help"),
  ])
  func usageErrorIsOneLine(arguments: [String], message: String, help: String) async throws {
    let result = try await binary(arguments)
    #expect(result.status == 64)
    #expect(result.stdout.isEmpty)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)")
    #expect(lines.first?.hasPrefix("synapse-local: error: ") == true, "\(result.stderr)")
    #expect(result.stderr.contains(message) && result.stderr.contains(help), "\(result.stderr)")
  }

  @Test func badHardwareFileNamesTheField() async throws {
    let result = try await recommend(hardware: #"{"memory": {"available_bytes": 1}, "cpu": {"logical_cores": 2}}"#)
    #expect(result.status == 1)
    #expect(result.stderr.contains("memory.total_bytes") && result.stderr.contains("detect --json"))
  }

  @Test func absurdHardwareValuesAreRefused() async throws {
    let result = try await recommend(
      hardware: #"{"memory": {"total_bytes": 17179869184}, "cpu": {"logical_cores": 4, "quota_cores": 1e19}}"#)
    #expect(result.status == 1)
    #expect(result.stderr.contains("cpu.quota_cores"), "\(result.stderr)")
    let gpu = try await recommend(
      hardware:
        #"{"memory": {"total_bytes": 17179869184}, "cpu": {"logical_cores": 4}, "gpus": [{"name": "x", "memory_total_bytes": 18446744073709551615}]}"#
    )
    #expect(gpu.status == 1)
    #expect(gpu.stderr.contains("gpus[0].memory_total_bytes"), "\(gpu.stderr)")
  }

  @Test func garbageHardwareFile() async throws {
    let result = try await recommend(hardware: "memory: lots")
    #expect(result.status == 1)
    #expect(result.stderr.contains("not valid JSON") && result.stderr.split(separator: "\n").count == 1)
  }

  @Test func impossibleContextIsAUsageError() async throws {
    let result = try await run(["inspect", "./x.gguf", "--context", "1"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--context must be between"))
  }

  @Test func unknownPreferenceIsAUsageError() async throws {
    let result = try await run(["recommend", "--prefer", "cheap"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("speed") && result.stderr.contains("quality") && result.stderr.contains("code"))
  }

  /// A stack that is not running is stopped, not an error: `status` says so (JSON with --json) and
  /// `down` is idempotent, both exit 0. Outside a project, "no project" stays an error.
  @Test func aStoppedStackIsAnAnswer() async throws {
    let project = NSTemporaryDirectory() + "stopped-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: project) }
    let initialized = try await run(["init", "--profile", "demo", "--project", project], machine: "laptop-v2")
    try #require(initialized.status == 0, "\(initialized.stderr)")
    let status = try await run(["status", "--project", project])
    #expect(status.status == 0 && status.stdout.contains("stopped") && status.stderr.isEmpty, "\(status.stderr)")
    let document = try json(try await run(["status", "--json", "--project", project]))
    #expect(document["state"] as? String == "stopped" && document["project"] as? String == project)
    #expect(
      (document["services"] as? [Any])?.isEmpty == true && document["supervisor_pid"] is NSNull
        && document.keys.contains("last_start_failure"))
    for _ in 0..<2 {
      let down = try await run(["down", "--project", project])
      #expect(down.status == 0 && down.stdout.contains("was not running"), "\(down.stderr)")
    }
    let down = try json(try await run(["down", "--json", "--project", project]))
    #expect(down["state"] as? String == "stopped" && down["was_running"] as? Bool == false && down["supervisor_pid"] is NSNull)
    let outside = try await run(["status", "--project", project + "/nowhere"])
    #expect(outside.status == 1 && outside.stderr.hasPrefix("synapse-local: error: no project at"))
    let foreground = try await run(["up", "--json", "--project", project])
    #expect(foreground.status == 64 && foreground.stderr.contains("--json goes with -d"))
  }

  /// `logs supervisor` reads the supervisor's own log, unprefixed; `logs` alone merges every log,
  /// the supervisor's with the services', each line labelled with its log and its time.
  @Test func logsReachTheSupervisorsOwnLog() async throws {
    let project = NSTemporaryDirectory() + "logs-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: project + "/.synapse-local/logs", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: project) }
    let initialized = try await run(["init", "--profile", "demo", "--project", project], machine: "laptop-v2")
    try #require(initialized.status == 0, "\(initialized.stderr)")
    let none = try await run(["logs", "--project", project])
    #expect(none.status == 1 && none.stderr.contains("no logs yet"), "\(none.stderr)")
    try "synapse-local: supervisor 1 starting\nsynapse-local: error: db's port 5432 is already in use\n".write(
      toFile: project + "/.synapse-local/logs/supervisor.log", atomically: true, encoding: .utf8)
    let supervisor = try await run(["logs", "supervisor", "--project", project])
    #expect(
      supervisor.status == 0
        && supervisor.stdout == "synapse-local: supervisor 1 starting\nsynapse-local: error: db's port 5432 is already in use\n")
    let last = try await run(["logs", "supervisor", "--tail", "1", "--project", project])
    #expect(last.stdout == "synapse-local: error: db's port 5432 is already in use\n")
    try "2026-12-05 10:00:01.000 UTC [7] LOG:  listening\n".write(
      toFile: project + "/.synapse-local/logs/db.log", atomically: true, encoding: .utf8)
    let merged = try await run(["logs", "-n", "5", "--project", project])
    let lines = merged.stdout.split(separator: "\n").map(String.init)
    #expect(merged.status == 0 && lines.count == 3, "\(merged.stdout)")
    #expect(lines.contains { $0.hasPrefix("supervisor") && $0.hasSuffix("| synapse-local: supervisor 1 starting") }, "\(lines)")
    #expect(lines.contains { $0.hasPrefix("db") && $0.contains("| 2026-12-05T10:00:01") && $0.hasSuffix("LOG:  listening") }, "\(lines)")
  }

  /// `install --plan` shows the llama.cpp build for the machine, with its companion and digests,
  /// and downloads nothing; `--platform` plans for another; misuse is a usage error.
  @Test func installPlanChoosesTheBuildForTheMachine() async throws {
    let workstation = try json(try await run(["install", "llama.cpp", "--plan", "--json"], machine: "gpu-workstation"))
    #expect(workstation["variant"] as? String == "cuda-12.8" && (workstation["reason"] as? String)?.contains("RTX 4090") == true)
    #expect((workstation["companion"] as? [String: Any])?["name"] as? String == "cudart-llama-b11541-bin-ubuntu-cuda-12.8-x64.tar.gz")
    let laptop = try json(try await run(["install", "--plan", "--json"], machine: "laptop-v2"))
    #expect(laptop["variant"] as? String == "cpu" && laptop["companion"] == nil)
    let mac = try json(try await run(["install", "--plan", "--platform", "macos-arm64", "--json"], machine: "laptop-v2"))
    #expect(mac["variant"] as? String == "metal" && mac["platform"] as? String == "macos-arm64")
    let text = try await run(["install", "--plan"], machine: "old-driver-server")
    #expect(text.status == 0 && text.stdout.contains("driver 470") && text.stdout.contains("Nothing was downloaded"), "\(text.stdout)")
    let amd = try json(try await run(["install", "--plan", "--json"], machine: "amd-rocm-workstation"))
    #expect(amd["variant"] as? String == "rocm", "\(amd)")
    // recommend and init say which build `up` will install.
    let recommended = try json(try await run(["recommend", "--json"], machine: "amd-rocm-workstation"))
    #expect((recommended["llama_cpp_build"] as? [String: Any])?["variant"] as? String == "rocm", "\(recommended)")
    let old = try await run(["recommend"], machine: "old-driver-server")
    #expect(old.stdout.contains("llama.cpp build") && old.stdout.contains("cpu (`up` installs it)"), "\(old.stdout)")
    let misused = try await run(["install", "embedding", "--plan"])
    #expect(misused.status == 64 && misused.stderr.contains("--plan"))
    let stray = try await run(["install", "--platform", "linux-aarch64"])
    #expect(stray.status == 64 && stray.stderr.contains("--platform goes with --plan"))
  }

  /// `scripts/gpu-check` on a machine without a GPU says so in one line and exits 2, before it
  /// builds or installs anything.
  @Test(.enabled(if: !FileManager.default.isExecutableFile(atPath: "/usr/bin/nvidia-smi")))
  func gpuCheckSaysThereIsNoGPU() async throws {
    let script = Process()
    script.executableURL = URL(fileURLWithPath: Fixtures.repositoryRoot + "/scripts/gpu-check")
    let errors = Pipe()
    script.standardError = errors
    script.standardOutput = Pipe()
    try script.run()
    let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    script.waitUntilExit()
    #expect(script.terminationStatus == 2 && said.hasPrefix("gpu-check: no GPU here"), "\(said)")
  }

  /// The table says what its ★ and ⚡ columns are.
  @Test func catalogTableHasAHeaderRow() async throws {
    let result = try await run(["catalog"])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    let header = try #require(lines.first)
    for column in ["ID", "NAME", "ROLE", "SIZE", "SPEED", "QUALITY", "LICENCE"] { #expect(header.contains(column), "\(header)") }
    #expect(lines.last?.contains("speed (⚡ of 3) and quality (★ of 5)") == true)
  }

  @Test func catalogFromAnotherFolder() async throws {
    let result = try await run(["catalog", "--json", "--role", "embedding"])
    #expect(result.status == 0)
    let models = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    #expect(models.count == 4)
    let missing = try await run(["catalog"], environment: ["SYNAPSE_LOCAL_PROFILES": "/nonexistent-profiles"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("/nonexistent-profiles") && missing.stderr.contains("SYNAPSE_LOCAL_PROFILES"))
  }

  @Test(.enabled(if: TestBed.shouldRun(.smolLM2)))
  func inspectJSONOnARealModel() async throws {
    let result = try await run(["inspect", try TestBed.require(.smolLM2), "--json"])
    #expect(result.status == 0)
    let info = try json(result)
    #expect(info["block_count"] as? Int == 30)
    #expect(info["file_type"] as? String == "Q4_1")
    let metadata = try #require(info["metadata"] as? [String: Any])
    let tokens = try #require(metadata["tokenizer.ggml.tokens"] as? [String: Any])
    #expect(tokens["count"] as? Int == 49152)
  }
}
