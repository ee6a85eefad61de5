import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing
import Yams

/// `export kubernetes` for every profile on its fixture machine, plus replicas and vLLM across
/// nodes: the manifests validate against the Kubernetes API schemas of two versions
/// (kubernetes-validate), keep the rules no schema has (`KubernetesRules`), and say what the
/// native plan and the compose file say.
@Suite("export kubernetes", .serialized)
struct KubernetesExportTests {
  static let images = [
    "--image", "embedding=registry.example/synapse-embedding:1", "--image", "backend=registry.example/synapse-api:1", "--image",
    "frontend=registry.example/synapse-web:1",
  ]
  /// The Kubernetes versions the manifests must validate against.
  static let versions = ["1.36.0", "1.37.0"]

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var profile: String
    var machine: String
    var initFlags: [String] = []
    var exportFlags: [String] = []
    var gpus: Int
    var nodes: Int? = nil
    var testDescription: String { name }
  }

  static let cases: [Case] =
    ProjectGenerationTests.cases.map {
      Case(name: $0.name, profile: $0.profile, machine: $0.machine, initFlags: $0.flags, gpus: $0.gpu ? ($0.engine == "vllm" ? 1 : 1) : 0)
    } + [
      Case(
        name: "replicas on one node", profile: "cpu-laptop", machine: "laptop-v2", exportFlags: ["--replicas", "llm=2,embedding=3"], gpus: 0
      ),
      Case(
        name: "vLLM across nodes", profile: "vllm-server", machine: "multi-gpu-server", initFlags: ["--set", "llm.tensor_parallel_size=2"],
        exportFlags: [
          "--gpus-per-node", "1", "--shared-store", "--storage-class", "nfs-rwx", "--node-selector", "nvidia.com/gpu.present=true",
          "--toleration", "nvidia.com/gpu:NoSchedule",
        ], gpus: 1, nodes: 2),
    ]

  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python)), arguments: cases)
  func exportValidatesAndAgreesWithThePlan(_ entry: Case) async throws {
    let scratch = ProjectGenerationTests.Scratch()
    defer { scratch.remove() }
    let hardware = try await scratch.hardwareFile(entry.machine)
    try FileManager.default.copyItem(atPath: Fixtures.root + "/synapse-app", toPath: scratch.project)
    let initialized = try await scratch.run(
      ["init", "--profile", entry.profile, "--hardware", hardware, "--project", scratch.project] + entry.initFlags)
    try #require(initialized.status == 0, "\(initialized.stderr)")
    let configuration = try ProjectSchema.parse(try scratch.read("synapse-local.yaml"), file: "synapse-local.yaml")
    try await scratch.importStandIns(for: configuration)
    try #require(try await scratch.run(["generate", "--project", scratch.project]).status == 0)
    let folder = scratch.root + "/k8s"
    let exported = try await scratch.run(
      ["export", "kubernetes", "--project", scratch.project, "-o", folder, "--json"] + Self.images + entry.exportFlags)
    try #require(exported.status == 0, "\(exported.stderr)")
    let result = try JSONDecoder().decode(KubernetesExporter.Result.self, from: Data(exported.stdout.utf8))
    #expect(result.nodes == entry.nodes)
    let manifests = try Manifests.load(folder)

    // The API schemas of two Kubernetes versions, strict (no unknown field).
    let validator = ((try TestBed.require(.python)) as NSString).deletingLastPathComponent + "/kubernetes-validate"
    try #require(FileManager.default.isExecutableFile(atPath: validator), "kubernetes-validate is missing: run scripts/testbed")
    let documents = try manifests.writeValidatable(to: scratch.root + "/validate")
    for version in Self.versions {
      let (status, output) = try await runCommand(validator, ["-k", version, "--strict", "--quiet"] + documents)
      #expect(status == 0, "Kubernetes \(version):\n\(output.suffix(3000))")
    }

    let checked = try await PythonChecks.run(project: scratch.project)
    let password = try String(contentsOfFile: folder + "/secrets/db-password", encoding: .utf8)
    let projectPassword = try String(contentsOfFile: scratch.project + "/.synapse-local/secrets/db-password", encoding: .utf8)
    let native = try nativePlan(configuration, scratch: scratch)
    try KubernetesRules.check(
      manifests, configuration: configuration, native: native, gpus: entry.gpus,
      secrets: [password, projectPassword].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
    try agree(manifests, compose: checked.compose, env: checked.env, native: native, configuration: configuration, entry: entry)
    try await checkStoreFill(manifests, scratch: scratch)
    if let nodes = entry.nodes { try checkLeaderWorkerSet(manifests, nodes: nodes, gpusPerNode: entry.gpus) }
    if entry.name == "replicas on one node" {
      let llm = try #require(manifests.objects("Deployment").first { ($0["metadata"] as? [String: Any])?["name"] as? String == "llm" })
      #expect((llm["spec"] as? [String: Any])?["replicas"] as? Int == 2)
      #expect(result.notes.contains { $0.contains("ReadWriteOnce, so every llm and embedding pod runs on one node") })
      let template = try #require(manifests.podTemplates.first { $0.owner == "llm" }?.template)
      #expect((template["spec"] as? [String: Any])?["affinity"] != nil, "the store's readers are kept on one node")
    }
  }

  /// The native plan `up` would run for this project (ports, health checks, readiness limits).
  func nativePlan(_ c: ProjectConfiguration, scratch: ProjectGenerationTests.Scratch) throws -> [ServiceName: ServiceSpec] {
    let layout = PostgresLayout(dataDirectory: "/d", socketDirectory: "/s", user: nil, uid: 0, gid: 0, relocation: nil)
    let planner = ServicePlanner(
      configuration: c, project: scratch.project, llmPath: "/m", embeddingPath: "/e", store: scratch.store, database: layout, env: [:],
      baseEnvironment: [:])
    return Dictionary(uniqueKeysWithValues: planner.services().map { ($0.name, $0) })
  }

  /// Names, ports, images, the engine's arguments and the backend's keys: as in the compose file
  /// and the native plan.
  func agree(
    _ manifests: Manifests, compose: [String: Any], env: [String: String], native: [ServiceName: ServiceSpec],
    configuration c: ProjectConfiguration,
    entry: Case
  ) throws {
    let services = compose["services"] as? [String: [String: Any]] ?? [:]
    let names = manifests.objects("Service").compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
    #expect(Set(names) == Set(services.keys), "Services \(names) against compose \(services.keys.sorted())")
    for name in names {
      let service = try #require(manifests.objects("Service").first { ($0["metadata"] as? [String: Any])?["name"] as? String == name })
      let port = (((service["spec"] as? [String: Any])?["ports"] as? [[String: Any]])?.first?["port"] as? Int) ?? 0
      // The compose file publishes host:container; the container's port is the service's.
      let published = (services[name]?["ports"] as? [String])?.first?.split(separator: ":").last.map(String.init)
      #expect(String(port) == (name == "db" ? "5432" : published), "\(name): \(port) against compose \(published ?? "-")")
      if name != "db", let spec = ServiceName(rawValue: name).flatMap({ native[$0] }) {
        #expect(port == spec.port, "\(name): \(port) against the native plan's \(spec.port)")
      }
    }
    let llm = try #require(manifests.containers(of: "llm").first)
    #expect(llm["image"] as? String == services["llm"]?["image"] as? String)
    #expect(manifests.containers(of: "db").first?["image"] as? String == services["db"]?["image"] as? String)
    if entry.nodes == nil { #expect(llm["args"] as? [String] == services["llm"]?["command"] as? [String]) }
    let embedding = try #require(manifests.containers(of: "embedding").first)
    let embeddingEnv = Dictionary(
      (embedding["env"] as? [[String: Any]] ?? []).compactMap { e in (e["name"] as? String).map { ($0, e["value"] as? String ?? "") } }
    ) { $1 }
    let composeEmbedding = services["embedding"]?["environment"] as? [String: Any] ?? [:]
    for key in ["EMBEDDING_MODEL", "EMBEDDING_MODEL_NAME", "EMBEDDING_PORT", "EMBEDDING_BATCH_SIZE"] {
      #expect(embeddingEnv[key] == composeEmbedding[key] as? String, "\(key)")
    }
    guard c.backend.enabled, let backend = manifests.containers(of: "backend").first else { return }
    let backendEnv = Dictionary(
      (backend["env"] as? [[String: Any]] ?? []).compactMap { e in (e["name"] as? String).map { ($0, e["value"] as? String ?? "") } }
    ) { $1 }
    for key in ProjectGenerationTests.guideKeys where key != "DATABASE_URL" && !key.hasSuffix("_ENDPOINT") {
      #expect(backendEnv[key] == env[key], "\(key): \(backendEnv[key] ?? "-") against .env's \(env[key] ?? "-")")
    }
    #expect(
      backendEnv["LOCAL_LLM_ENDPOINT"] == "http://llm:\(c.llm.port)"
        && backendEnv["DATABASE_URL"]?.contains("$(POSTGRES_PASSWORD)@db:5432/") == true)
  }

  /// The fill Job downloads each locked file at its commit, and its checksums pass `sha256sum -c`
  /// on this project's own store: the same layout, the same bytes.
  func checkStoreFill(_ manifests: Manifests, scratch: ProjectGenerationTests.Scratch) async throws {
    let map = try #require(manifests.objects("ConfigMap").first)
    let data = map["data"] as? [String: String] ?? [:]
    let script = data["fill.sh"] ?? ""
    let lock = try ProjectLock.load(scratch.project + "/" + ProjectLock.fileName, files: RootedFileSystem())
    for entry in lock.files {
      // A pulled file at its commit; an imported one (a commit of the import's making) at its
      // revision, its snapshot then linked under the locked commit.
      let revision = entry.imported == true ? entry.revision : entry.commit
      #expect(script.contains("hf download \(entry.repository)") && script.contains("--revision \(revision)"), "\(entry.repository)")
      if entry.imported == true { #expect(script.contains("/snapshots/\(entry.commit)"), "\(script)") }
    }
    #expect(script.hasSuffix("touch \"$FILL_MARKER\"\n"), "the marker the engines wait for comes last")
    // The engines wait for this fill's marker.
    let job = try #require(manifests.objects("Job").first)
    let jobName = ((job["metadata"] as? [String: Any])?["name"] as? String) ?? ""
    for service in ["llm", "embedding"] {
      let waits = manifests.podTemplates.filter { Manifests.labels($0.template)["app.kubernetes.io/name"] == service }.map {
        (($0.template["spec"] as? [String: Any])?["initContainers"] as? [[String: Any]])?.first?["command"] as? [String] ?? []
      }
      #expect(!waits.isEmpty && waits.allSatisfy { $0.last?.contains(jobName) == true }, "\(service): \(waits)")
    }
    let sums = scratch.root + "/sha256sums"
    try (data["sha256sums"] ?? "").write(toFile: sums, atomically: true, encoding: .utf8)
    let (status, output) = try await runCommand("/bin/sh", ["-c", "cd '\(scratch.store)' && sha256sum -c '\(sums)'"])
    #expect(status == 0 && output.contains(": OK"), "\(output)")
  }

  func checkLeaderWorkerSet(_ manifests: Manifests, nodes: Int, gpusPerNode: Int) throws {
    let set = try #require(manifests.objects("LeaderWorkerSet").first)
    #expect(set["apiVersion"] as? String == "leaderworkerset.x-k8s.io/v1")
    let group = ((set["spec"] as? [String: Any])?["leaderWorkerTemplate"] as? [String: Any]) ?? [:]
    #expect(group["size"] as? Int == nodes)
    // Not named llm: the controller's own headless Service for the group takes the set's name.
    #expect((set["metadata"] as? [String: Any])?["name"] as? String == "llm-group")
    let leader = try #require(manifests.podTemplates.first { $0.owner == "llm-group/leaderTemplate" }?.template)
    let command = (Manifests.containers(leader).first?["command"] as? [String])?.last ?? ""
    #expect(
      command.contains("--tensor-parallel-size \(gpusPerNode)") && command.contains("--pipeline-parallel-size \(nodes)"), "\(command)")
    #expect(command.contains("leader --ray_cluster_size=$(LWS_GROUP_SIZE)") && command.contains("--distributed-executor-backend ray"))
    let service = try #require(manifests.objects("Service").first { ($0["metadata"] as? [String: Any])?["name"] as? String == "llm" })
    #expect(((service["spec"] as? [String: Any])?["selector"] as? [String: String])?["role"] == "leader")
    #expect(manifests.objects("NetworkPolicy").contains { ($0["metadata"] as? [String: Any])?["name"] as? String == "llm-ray" })
  }

  /// Bad input is one line naming the option.
  /// The images a project needs are options it lacks: a usage error (64), naming each, in one line.
  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.shouldRun(.python)))
  func aMissingImageIsAUsageError() async throws {
    let scratch = ProjectGenerationTests.Scratch()
    defer { scratch.remove() }
    let hardware = try await scratch.hardwareFile("laptop-v2")
    try FileManager.default.copyItem(atPath: Fixtures.root + "/synapse-app", toPath: scratch.project)
    let initialized = try await scratch.run(["init", "--profile", "cpu-laptop", "--hardware", hardware, "--project", scratch.project])
    try #require(initialized.status == 0, "\(initialized.stderr)")
    try await scratch.importStandIns(for: try ProjectSchema.parse(try scratch.read("synapse-local.yaml"), file: "synapse-local.yaml"))
    let result = try await scratch.run(
      ["export", "kubernetes", "--project", scratch.project, "-o", scratch.root + "/k8s", "--image", "embedding=reg/e:1"])
    #expect(result.status == 64, "\(result.stderr)")
    #expect(
      result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("name them: --image backend=IMAGE")
        && result.stderr.contains("--image frontend=IMAGE") && !result.stderr.contains("--image embedding="), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: scratch.root + "/k8s"))
  }

  @Test func badOptionsAreOneLine() async throws {
    let scratch = ProjectGenerationTests.Scratch()
    defer { scratch.remove() }
    for (flags, message) in [
      (["--replicas", "llm=two"], "--replicas 'llm=two' is not SERVICE=N"),
      (["--namespace", "Synapse_1"], "--namespace 'Synapse_1' is not"),
      (["--image", "llm=reg/x:1"], "--image: 'llm' is not a role built from your checkout"),
      (["--toleration", "gpu"], "--toleration 'gpu' is not KEY[=VALUE]:EFFECT"),
    ] {
      let result = try await scratch.run(["export", "kubernetes", "-o", scratch.root + "/k8s"] + flags)
      #expect(result.status != 0 && result.stderr.contains(message), "\(flags): \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").first?.contains(message) == true, "the reason first: \(result.stderr)")
    }
  }
}
