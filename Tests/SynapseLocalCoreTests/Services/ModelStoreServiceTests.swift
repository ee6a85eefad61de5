import Foundation
import SynapseLocalCore
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
    let pins = try ProjectLock.load(lock)
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
}
