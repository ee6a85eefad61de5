import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Each doctor check on fixtures: a project folder made here, the configuration, `.env` and
/// stack status given by hand, the machine from the hardware fixtures.
@Suite("doctor checks on fixtures")
struct DoctorChecksTests {
  final class Folder {
    let path = NSTemporaryDirectory() + "doctor-\(UUID().uuidString)"
    init() { try? FileManager.default.createDirectory(atPath: path + "/.synapse-local/run", withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func write(_ text: String, _ name: String, mode: Int = 0o600) throws {
      try FileManager.default.createDirectory(
        atPath: ((path + "/" + name) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path + "/" + name)
    }
  }

  static let env: [String: String] = [
    "USE_LOCAL_MODELS": "true", "LOCAL_LLM_ENDPOINT": "http://127.0.0.1:8080", "LOCAL_LLM_MODEL": "SmolLM2-135M-Instruct",
    "LOCAL_EMBEDDING_ENDPOINT": "http://127.0.0.1:8081", "LOCAL_EMBEDDING_MODEL": "all-MiniLM-L6-v2", "LOCAL_EMBEDDING_DIMENSIONS": "384",
    "OPENAI_API_KEY": "not-required-for-local-mode", "DATABASE_URL": "postgresql://synapse:Zq8x1GgT0pQ@127.0.0.1:5432/synapse",
  ]

  func subject(
    _ folder: Folder, configure: (inout ProjectConfiguration) -> Void = { _ in }, env: [String: String]? = DoctorChecksTests.env,
    hardware: HardwareReport = Machine.cpu(memoryGiB: 16), stack: StackStatus? = nil
  ) throws -> DoctorSubject {
    var configuration = ProjectConfiguration()
    configuration.llm.model = "smollm2-135m-q4"
    configuration.llm.servedName = "SmolLM2-135M-Instruct"
    configuration.llm.threads = 4
    configuration.backend.enabled = false
    configuration.frontend.enabled = false
    configure(&configuration)
    var subject = DoctorSubject(
      project: folder.path, configuration: configuration, env: env, lock: nil, hardware: hardware, stack: stack,
      catalog: try Fixtures.catalog(), context: .live(environment: ["HOME": folder.path]))
    subject.embeddingPath = nil
    return subject
  }

  func service(_ name: ServiceName, _ state: ServiceStatus.State, port: Int, restarts: Int = 0, lastExit: Int32? = nil) -> ServiceStatus {
    ServiceStatus(
      name: name, state: state, pid: 4242, restarts: restarts, port: port, enginePort: nil, uptimeSeconds: 1, rssBytes: nil, model: nil,
      lastExit: lastExit, message: nil)
  }

  @Test func aPlanLargerThanTheContainersLimitFailsAndNamesIt() async throws {
    let folder = Folder()
    let tight = Machine.cpu(memoryGiB: 64, limitGiB: 3)
    let finding = await PlanMemoryCheck().run(try subject(folder, configure: { $0.llm.model = "llama-3.1-8b-q5" }, hardware: tight))
    #expect(finding.status == .failure)
    #expect(finding.message.contains("container's limit of 3.0 GiB") && finding.fix?.contains("synapse-local recommend") == true)
    let roomy = await PlanMemoryCheck().run(try subject(folder, hardware: Machine.cpu(memoryGiB: 16)))
    #expect(roomy.status == .ok)
  }

  /// A local embedding folder counts by its size (issue 37: it counted 0 B, so a 2 GiB machine
  /// passed a plan that could not fit): 900 MB of weights on sentence-transformers is their 1.8 GB
  /// in torch plus its runtime, which a 2 GiB machine cannot hold beside SmolLM2.
  @Test func aLocalEmbeddingFolderCountsByItsSize() async throws {
    let folder = Folder()
    let model = folder.path + "/embedder"
    try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
    let weights = model + "/model.safetensors"
    _ = FileManager.default.createFile(atPath: weights, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: weights))
    try handle.truncate(atOffset: 900_000_000)  // sparse: no disk used
    try handle.close()
    var local = try subject(
      folder,
      configure: {
        $0.embedding.model = .local(path: model)
        $0.embedding.engine = .sentenceTransformers
      }, hardware: Machine.cpu(memoryGiB: 2))
    local.embeddingPath = model
    let finding = await PlanMemoryCheck().run(local)
    #expect(finding.status == .failure, "\(finding.message)")
    #expect(finding.message.contains("embedding 2.6 GiB"), "\(finding.message)")
  }

  /// Llama 3.1 8B Q5 at 4096 tokens is about 6.6 GiB: all 33 layers fit a free 24 GiB GPU, not a
  /// 4 GiB one, which holds about 19.
  @Test func offloadedLayersMustFitTheGPU() async throws {
    let folder = Folder()
    let configure: (inout ProjectConfiguration) -> Void = {
      $0.llm.model = "llama-3.1-8b-q5"
      $0.llm.context = 4096
      $0.llm.gpuLayers = 33
    }
    let big = Machine.cpu(memoryGiB: 32, gpus: [Machine.gpu("NVIDIA GeForce RTX 4090", totalMiB: 24564, capability: "8.9")], cuda: "12.4")
    #expect(await PlanVRAMCheck().run(try subject(folder, configure: configure, hardware: big)).status == .ok)
    let small = Machine.cpu(memoryGiB: 32, gpus: [Machine.gpu("NVIDIA T1000", totalMiB: 4096, capability: "7.5")], cuda: "12.4")
    let tight = await PlanVRAMCheck().run(try subject(folder, configure: configure, hardware: small))
    #expect(tight.status == .failure && tight.message.contains("33 of 33 layers") && tight.fix?.contains("llm.gpu_layers:") == true)
    let none = await PlanVRAMCheck().run(try subject(folder, configure: configure, hardware: Machine.cpu(memoryGiB: 32)))
    #expect(none.status == .failure && none.fix == "set llm.gpu_layers: 0")
    #expect(await PlanVRAMCheck().run(try subject(folder)).status == .skipped)
  }

  @Test func moreThreadsThanCoresIsAWarningWithTheNumberToSet() async throws {
    let folder = Folder()
    let finding = await PlanThreadsCheck().run(
      try subject(folder, configure: { $0.llm.threads = 32 }, hardware: Machine.cpu(memoryGiB: 16, cores: 8)))
    #expect(finding.status == .warning && finding.fix?.contains("llm.threads: 8") == true)
  }

  @Test func dotEnvDimensionsThatDisagreeWithTheModelFail() async throws {
    let folder = Folder()
    var env = Self.env
    env["LOCAL_EMBEDDING_DIMENSIONS"] = "768"
    let finding = await EmbeddingDimensionsCheck().run(try subject(folder, env: env))
    #expect(finding.status == .failure && finding.message.contains("768") && finding.fix?.contains("synapse-local generate") == true)
    #expect(await EmbeddingDimensionsCheck().run(try subject(folder)).status == .ok)
  }

  @Test func localModeKeysAreAsTheGuideSetsThem() async throws {
    let folder = Folder()
    var cloud = Self.env
    cloud["USE_LOCAL_MODELS"] = "false"
    #expect(await LocalModeEnvCheck().run(try subject(folder, env: cloud)).status == .failure)
    var keyed = Self.env
    keyed["OPENAI_API_KEY"] = "sk-live-123"
    #expect(await LocalModeEnvCheck().run(try subject(folder, env: keyed)).status == .warning)
    #expect(await LocalModeEnvCheck().run(try subject(folder, env: nil)).status == .failure)
    #expect(await LocalModeEnvCheck().run(try subject(folder)).status == .ok)
    // Quoted values read as dotenv reads them; an empty key and Azure are named.
    var quoted = Self.env
    quoted["USE_LOCAL_MODELS"] = "\"true\""
    #expect(await LocalModeEnvCheck().run(try subject(folder, env: quoted)).status == .ok)
    var empty = Self.env
    empty["OPENAI_API_KEY"] = ""
    #expect(await LocalModeEnvCheck().run(try subject(folder, env: empty)).status == .warning)
    var azure = Self.env
    azure["USE_AZURE_OPENAI"] = "true"
    #expect(await LocalModeEnvCheck().run(try subject(folder, env: azure)).status == .failure)
  }

  @Test func composeEndpointsMustUseServiceNames() async throws {
    let folder = Folder()
    try folder.write(
      "services:\n  backend:\n    environment:\n      LOCAL_LLM_ENDPOINT: http://localhost:8080\n", "docker-compose.local.yml")
    let finding = await ComposeEndpointsCheck().run(try subject(folder))
    #expect(finding.status == .failure && finding.message.contains("LOCAL_LLM_ENDPOINT") && finding.fix?.contains("http://llm:") == true)
    try folder.write("services:\n  backend:\n    environment:\n      LOCAL_LLM_ENDPOINT: http://llm:8080\n", "docker-compose.local.yml")
    // Without its own LOCAL_EMBEDDING_ENDPOINT the backend takes .env's 127.0.0.1.
    let missing = await ComposeEndpointsCheck().run(try subject(folder))
    #expect(missing.status == .failure && missing.message.contains("does not set LOCAL_EMBEDDING_ENDPOINT"))
    try folder.write(
      "services:\n  backend:\n    environment:\n      LOCAL_LLM_ENDPOINT: http://llm:8080\n      LOCAL_EMBEDDING_ENDPOINT: http://embedding:8081\n  llm:\n    image: x\n",
      "docker-compose.local.yml")
    #expect(await ComposeEndpointsCheck().run(try subject(folder)).status == .ok)
  }

  @Test func aPortHeldByAnotherProcessIsNamedOneHeldByOurServiceIsNot() async throws {
    let folder = Folder()
    let check = PortsCheck()
    func subject(taken: [Int: String], stack: StackStatus? = nil) throws -> DoctorSubject {
      var subject = try self.subject(folder, stack: stack)
      // The planned ports (db, llm, embedding) and the status port: each one held or free.
      let planned: Set<Int> = [5432, 8080, 8081, 8790]
      subject.context.ports = ScriptedPorts(taken: taken, free: planned.subtracting(taken.keys))
      return subject
    }
    let taken = await check.run(try subject(taken: [8080: "python3 (pid 77)"]))
    #expect(taken.status == .failure && taken.message.contains("8080") && taken.message.contains("python3 (pid 77)"))
    let stack = StackStatus(project: folder.path, supervisorPID: 1, services: [service(.llm, .healthy, port: 8080)])
    let ours = await check.run(try subject(taken: [8080: "python3 (pid 77)"], stack: stack))
    #expect(ours.status == .ok && ours.message.contains("8080 (llm)"))
    // The status port: another process's stops `up`; the running supervisor's is its own.
    let metrics = await check.run(try subject(taken: [8790: "prometheus (pid 88)"]))
    #expect(metrics.status == .failure && metrics.message.contains("status port") && metrics.fix?.contains("status.port") == true)
    #expect(await check.run(try subject(taken: [8790: "prometheus (pid 88)"], stack: stack)).message.contains("8790 (status port)"))
  }

  @Test func stalePidFilesAreFoundAndFixRemovesThem() async throws {
    let folder = Folder()
    // A pid that cannot be alive: above the kernel's maximum.
    try folder.write("4194399 0\n", ".synapse-local/run/supervisor.pid")
    let subject = try subject(folder)
    #expect(await PidFilesCheck().run(subject).status == .warning)
    let doctor = Doctor(context: subject.context, catalog: subject.catalog)
    let fixed = try await doctor.repair(subject, findings: [.warning("processes.pid-files", "", fix: nil)])
    #expect(fixed.contains { $0.contains("supervisor.pid") })
    #expect(!FileManager.default.fileExists(atPath: folder.path + "/.synapse-local/run/supervisor.pid"))
    #expect(await PidFilesCheck().run(try self.subject(folder)).status == .ok)
  }

  @Test func aCrashLoopIsReportedWithItsRecognisedCause() async throws {
    let folder = Folder()
    try folder.write("loading model\nerror: invalid argument: --no-such-flag\n", ".synapse-local/logs/llm.log", mode: 0o644)
    let stack = StackStatus(
      project: folder.path, supervisorPID: 1, services: [service(.llm, .failed, port: 8080, restarts: 5, lastExit: 1)])
    let finding = await CrashLoopCheck().run(try subject(folder, stack: stack))
    #expect(finding.status == .failure)
    #expect(finding.message.contains("a flag the program does not take") && finding.message.contains("--no-such-flag"))
    #expect(finding.fix?.contains("synapse-local logs llm") == true)
    #expect(await CrashLoopCheck().run(try subject(folder)).status == .skipped)
  }

  /// Issue 35, defect 16: `restart llm` is not a crash loop, nor a crash.
  @Test func aRestartAskedForIsNotReportedAsACrash() async throws {
    let folder = Folder()
    var asked = service(.llm, .restarting, port: 8080, restarts: 1, lastExit: 143)
    asked.lastExitWasCrash = false
    var finding = await CrashLoopCheck().run(
      try subject(folder, stack: StackStatus(project: folder.path, supervisorPID: 1, services: [asked])))
    #expect(finding.status == .ok)
    asked.state = .healthy
    finding = await CrashLoopCheck().run(try subject(folder, stack: StackStatus(project: folder.path, supervisorPID: 1, services: [asked])))
    #expect(finding.status == .ok && finding.message == "no service has crashed (restarted as asked: llm 1)")
    // A kill -9 is one.
    var killed = service(.llm, .restarting, port: 8080, restarts: 1, lastExit: 137)
    killed.crashes = 1
    killed.lastExitWasCrash = true
    finding = await CrashLoopCheck().run(
      try subject(folder, stack: StackStatus(project: folder.path, supervisorPID: 1, services: [killed])))
    #expect(finding.status == .failure)
  }

  @Test(arguments: [
    ("CUDA error: out of memory", Int32?.none, LogCause.outOfMemory), ("", 137, .outOfMemory),
    ("llama-server: error while loading shared libraries: libcuda.so.1", nil, .missingLibrary),
    ("error: unknown argument: --foo", nil, .badFlag), ("bind: Address already in use", nil, .portInUse),
    ("llama_model_load: error loading model: failed to read magic", nil, .modelLoad),
  ])
  func logCausesAreRecognised(text: String, exit: Int32?, cause: LogCause) {
    #expect(LogCause.recognize(text, exitStatus: exit) == cause)
  }

  @Test func secretsReadableByOthersFailAndDefaultPasswordsToo() async throws {
    let folder = Folder()
    try folder.write("USE_LOCAL_MODELS=true\n", ".env", mode: 0o644)
    #expect(await SecretFilesCheck().run(try subject(folder)).status == .failure)
    try folder.write("USE_LOCAL_MODELS=true\n", ".env", mode: 0o600)
    #expect(await SecretFilesCheck().run(try subject(folder)).status == .ok)
    var env = Self.env
    env["DATABASE_URL"] = "postgresql://synapse:postgres@127.0.0.1:5432/synapse"
    #expect(await SecretFilesCheck().run(try subject(folder, env: env)).status == .failure)
  }

  @Test func exposedModelsNeedTheirKey() async throws {
    let folder = Folder()
    #expect(await BindCheck().run(try subject(folder)).status == .ok)
    #expect(await BindCheck().run(try subject(folder, configure: { $0.exposeModels = true })).status == .failure)
    try folder.write("k", ".synapse-local/secrets/models-key")
    #expect(await BindCheck().run(try subject(folder, configure: { $0.exposeModels = true })).status == .warning)
  }

  @Test func llamaLicencesAreNamed() async throws {
    let folder = Folder()
    let finding = await LicenceCheck().run(try subject(folder, configure: { $0.llm.model = "llama-3.2-3b-q4" }))
    #expect(finding.status == .warning && finding.message.contains("Llama 3.2"))
    #expect(await LicenceCheck().run(try subject(folder)).status == .ok)
  }

  @Test func theReportExitsTwoOnAFailureAndPrintsEachFix() {
    let report = DoctorReport(findings: [
      .ok("plan.memory", "fits"), .failure("ports", "port 8080 is taken by python3 (pid 77)", fix: "stop it"),
      .skipped("db.vector", "the database is not running"),
    ])
    #expect(report.exitStatus == 2)
    #expect(report.text.contains("FAILURE  ports") && report.text.contains("fix: stop it"))
    #expect(report.text.hasSuffix("1 ok, 0 warning(s), 1 failure(s), 1 skipped"))
    #expect(DoctorReport(findings: [.warning("plan.disk", "low", fix: nil)]).exitStatus == 0)
    #expect(VectorColumnsCheck.password(in: "postgresql://synapse:p%40ss@127.0.0.1:5432/synapse") == "p@ss")
  }
}

/// The checks that read files and programs: a fake engine binary, a damaged lock entry, a measured
/// speed, the backend's sources.
@Suite("doctor checks on files and programs")
struct DoctorFileChecksTests {
  typealias Folder = DoctorChecksTests.Folder

  func subject(
    _ folder: Folder, environment: [String: String] = [:], configure: (inout ProjectConfiguration) -> Void = { _ in },
    hardware: HardwareReport = Machine.cpu(memoryGiB: 16), measurements: [SpeedMeasurement] = [], lock: ProjectLock? = nil
  ) throws
    -> DoctorSubject
  {
    var configuration = ProjectConfiguration()
    configuration.llm.model = "smollm2-135m-q4"
    configuration.backend.enabled = false
    configuration.frontend.enabled = false
    configuration.paths.store = folder.path + "/store"
    configure(&configuration)
    return DoctorSubject(
      project: folder.path, configuration: configuration, env: DoctorChecksTests.env, lock: lock, hardware: hardware,
      measurements: measurements, stack: nil, catalog: try Fixtures.catalog(),
      context: .live(environment: ["HOME": folder.path, "PATH": "/usr/bin:/bin"].merging(environment) { _, new in new }))
  }

  /// A llama-server that only answers `--version`, printing `output`.
  func fakeEngine(_ folder: Folder, _ output: String) throws -> String {
    try folder.write("#!/bin/sh\nprintf '%s\\n' '\(output)'\n", "bin/llama-server", mode: 0o755)
    return folder.path + "/bin/llama-server"
  }

  @Test func aCPUOnlyEngineGivenGPULayersFails() async throws {
    let folder = Folder()
    let gpu = Machine.cpu(memoryGiB: 32, gpus: [Machine.gpu("NVIDIA GeForce RTX 4090", totalMiB: 24564, capability: "8.9")], cuda: "12.4")
    let cpuOnly = try fakeEngine(folder, "version: 6000 (abc123) built with cc for x86_64-linux-gnu")
    let failing = await EngineBinaryCheck().run(
      try subject(folder, environment: ["SYNAPSE_LOCAL_LLAMA_SERVER": cpuOnly], configure: { $0.llm.gpuLayers = 99 }, hardware: gpu))
    #expect(failing.status == .failure && failing.message.contains("CPU-only") && failing.fix?.contains("cuda") == true)
    let cuda = try fakeEngine(folder, "ggml_cuda_init: found 1 CUDA devices: version: 6000 (abc123)")
    let fine = await EngineBinaryCheck().run(
      try subject(folder, environment: ["SYNAPSE_LOCAL_LLAMA_SERVER": cuda], configure: { $0.llm.gpuLayers = 99 }, hardware: gpu))
    #expect(fine.status == .ok, "\(fine.message)")
    let missing = await EngineBinaryCheck().run(try subject(folder, environment: ["SYNAPSE_LOCAL_LLAMA_SERVER": folder.path + "/nope"]))
    #expect(missing.status == .failure)
  }

  /// `db.vector` asks the database with the PostgreSQL `up` runs: here the runtime the lock pins,
  /// installed under the runtime home, not the configuration's default
  /// /usr/lib/postgresql/16/bin (which failed a healthy stack: "could not start …/psql").
  @Test func theDatabaseIsAskedWithThePostgreSQLUpRuns() async throws {
    let folder = Folder()
    let home = RuntimeHome(path: folder.path + "/home")
    let platform = try Platform.current()
    let runtime = home.folder(.postgresql, version: "16.4", variant: "pgvector-0.8.0", platform: platform)
    let bin = runtime + "/bin"
    // A psql that answers the two questions db.vector asks: the extension exists; one column.
    try folder.write("#!/bin/sh\n", String(bin.dropFirst(folder.path.count + 1)) + "/postgres", mode: 0o755)
    try folder.write(
      "#!/bin/sh\ncase \"$*\" in *pg_extension*) echo 1 ;; *count*) echo 3 ;; *) echo 'public.chunks|embedding|vector(384)' ;; esac\n",
      String(bin.dropFirst(folder.path.count + 1)) + "/psql", mode: 0o755)
    let manifest = RuntimeManifest(
      id: .postgresql, version: "16.4", variant: "pgvector-0.8.0", platform: platform, path: runtime, executable: bin,
      sha256: String(repeating: "a", count: 64), source: "test", installed: .testing, asset: "postgresql-16.4.tar.gz")
    try String(decoding: try JSONEncoder().encode(manifest), as: UTF8.self).write(
      toFile: runtime + "/runtime.json", atomically: true, encoding: .utf8)
    var lock = ProjectLock()
    lock.record(
      .init(id: "postgresql", platform: platform.rawValue, version: "16.4", variant: "pgvector-0.8.0", asset: "x", sha256: "a"))
    var subject = try subject(folder, environment: ["SYNAPSE_LOCAL_HOME": home.path], lock: lock)
    subject.stack = StackStatus(
      project: folder.path, supervisorPID: 1, services: [DoctorChecksTests().service(.db, .healthy, port: 5432)])
    let finding = await VectorColumnsCheck().run(subject)
    #expect(finding.status == .ok, "\(finding.message)")
    #expect(finding.message.contains("1 vector column(s), all vector(384)"))
    #expect(await subject.programs()?.binaries.pgBin == bin)
  }

  @Test func aLockedFileOfAnotherSizeFailsAndAMissingModelSaysPull() async throws {
    let folder = Folder()
    let entry = ProjectLock.Entry(
      repository: "acme/tiny", revision: "main", commit: String(repeating: "a", count: 40), path: "tiny.gguf", size: 100, sha256: nil,
      etag: "x")
    try folder.write(String(repeating: "x", count: 90), "store/models--acme--tiny/snapshots/\(entry.commit)/tiny.gguf")
    var lock = ProjectLock()
    lock.files = [entry]
    var subject = try subject(folder, lock: lock)
    subject.llmPath = folder.path + "/store/models--acme--tiny/snapshots/\(entry.commit)/tiny.gguf"
    subject.embeddingPath = folder.path
    subject.configuration.engine = .vllm
    let damaged = await ModelFilesCheck().run(subject)
    #expect(damaged.status == .failure && damaged.message.contains("90 bytes, the lock says 100"))
    subject.llmProblem = "not in the store"
    let missing = await ModelFilesCheck().run(subject)
    #expect(missing.status == .failure && missing.fix?.hasPrefix("synapse-local pull") == true)
  }

  @Test func aMeasuredSpeedUnderTheFloorIsAWarning() async throws {
    let folder = Folder()
    try folder.write("x", "SmolLM2.gguf")
    let hardware = Machine.cpu(memoryGiB: 16)
    let slow = SpeedMeasurement(
      machine: MachineFingerprint(hardware), engine: .llamaCpp, model: "SmolLM2.gguf", flags: ["-t", "4", "-ngl", "0"],
      promptTokensPerSecond: 40, generationTokensPerSecond: 4.5, measuredAt: "2026-11-30T12:00:00Z", by: "bench")
    var measured = try subject(folder, hardware: hardware, measurements: [slow])
    measured.llmPath = folder.path + "/SmolLM2.gguf"
    let finding = await SpeedFloorCheck().run(measured)
    #expect(finding.status == .warning && finding.message.contains("4.5 tok/s") && finding.fix?.contains("synapse-local tune") == true)
    #expect(await SpeedFloorCheck().run(try subject(folder, hardware: hardware)).status == .skipped)
  }

  /// The thresholds moved above any real disk, so both verdicts show on this machine.
  @Test func littleFreeSpaceIsAWarningThenAFailure() async throws {
    let folder = Folder()
    var check = PlanDiskCheck()
    #expect(await check.run(try subject(folder)).status == .ok)
    check.warningBytes = .max
    let low = await check.run(try subject(folder))
    #expect(low.status == .warning && low.message.contains("model store") && low.message.contains("state"))
    check.failureBytes = .max
    let full = await check.run(try subject(folder))
    #expect(full.status == .failure && full.fix?.contains("paths.store") == true)
  }

  @Test func aBackendWithoutTheLocalModeCodeIsAWarning() async throws {
    let folder = Folder()
    try folder.write("{\"name\": \"api\"}", "api/package.json")
    try folder.write("const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });\n", "api/src/index.ts")
    let configure: (inout ProjectConfiguration) -> Void = {
      $0.backend.enabled = true
      $0.backend.dir = "api"
    }
    let finding = await BackendLocalModeCheck().run(try subject(folder, configure: configure))
    #expect(finding.status == .warning && finding.message.contains("USE_LOCAL_MODELS"))
    try folder.write(
      "const local = process.env.USE_LOCAL_MODELS === 'true';\nconst url = process.env.LOCAL_LLM_ENDPOINT;\n", "api/src/index.ts")
    #expect(await BackendLocalModeCheck().run(try subject(folder, configure: configure)).status == .ok)
  }
}
