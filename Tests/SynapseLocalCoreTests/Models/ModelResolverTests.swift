import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// Where REFs point, in a small Hugging Face cache made by hand in memory (blobs/, relative
/// snapshot links, refs/ files as huggingface_hub writes them) and a project folder.
@Suite("Model resolver")
struct ModelResolverTests {
  let base = "/work"
  let disk = MemoryFileSystem(roots: ["/work"])
  var store: String { base + "/hub" }
  var project: String { base + "/project" }

  /// One snapshot of `repository`: each file a blob and a link to it, and `refs` pointing at it.
  func stock(_ repository: String, commit: String, files: [String], refs: [String] = []) throws {
    let folder = store + "/" + (try RepositoryID(repository)).cacheFolderName
    try disk.createDirectory(folder + "/blobs")
    try disk.createDirectory(folder + "/refs")
    for path in files {
      let etag = Digest.hex(.sha256, Array((repository + commit + path).utf8))
      try disk.write(path, to: folder + "/blobs/" + etag)
      let link = folder + "/snapshots/\(commit)/\(path)"
      try disk.createDirectory((link as NSString).deletingLastPathComponent)
      let depth = path.split(separator: "/").count + 1
      try disk.createLink(link, to: String(repeating: "../", count: depth) + "blobs/" + etag)
    }
    for ref in refs { try disk.write(commit, to: folder + "/refs/" + ref) }
  }

  func resolver(lock: ProjectLock? = nil) throws -> ModelResolver {
    ModelResolver(
      catalog: try Fixtures.catalog(), cache: HubCache(root: store, files: disk), lock: lock, project: project,
      environment: ["HOME": base + "/home"], files: disk)
  }

  @Test func aCatalogIDIsItsRepositorySnapshotAtMain() throws {
    let gguf = "bartowski/Llama-3.2-3B-Instruct-GGUF"
    try stock(
      gguf, commit: "1111111111111111111111111111111111111111", files: ["Llama-3.2-3B-Instruct-Q4_K_M.gguf", "README.md"], refs: ["main"])
    try stock(
      "meta-llama/Llama-3.2-3B-Instruct", commit: "2222222222222222222222222222222222222222", files: ["config.json"], refs: ["main"])
    let resolver = try resolver()

    // llama.cpp serves the catalog's GGUF file.
    let file = try resolver.resolve("llama-3.2-3b-q4", role: .llm, engine: .llamaCpp)
    let snapshot = "/models--bartowski--Llama-3.2-3B-Instruct-GGUF/snapshots/1111111111111111111111111111111111111111"
    #expect(file.hostPath == store + snapshot + "/Llama-3.2-3B-Instruct-Q4_K_M.gguf")
    #expect(file.containerPath == "/models" + snapshot + "/Llama-3.2-3B-Instruct-Q4_K_M.gguf")
    #expect(file.repository == gguf)
    #expect(file.commit == "1111111111111111111111111111111111111111")
    #expect(file.localMount == nil)

    // vLLM loads the 16-bit repository: its whole snapshot folder.
    let folder = try resolver.resolve("llama-3.2-3b-q4", role: .llm, engine: .vllm)
    #expect(folder.hostPath == store + "/models--meta-llama--Llama-3.2-3B-Instruct/snapshots/2222222222222222222222222222222222222222")
    #expect(folder.repository == "meta-llama/Llama-3.2-3B-Instruct")
  }

  @Test func aHubRepositoryREFIsItsSnapshotFolder() throws {
    try stock(
      "sentence-transformers/all-MiniLM-L6-v2", commit: "3333333333333333333333333333333333333333",
      files: ["config.json", "1_Pooling/config.json"], refs: ["main"])
    let resolved = try resolver().resolve("sentence-transformers/all-MiniLM-L6-v2", role: .embedding, engine: .llamaCpp)
    let snapshot = "/models--sentence-transformers--all-MiniLM-L6-v2/snapshots/3333333333333333333333333333333333333333"
    #expect(resolved.hostPath == store + snapshot)
    #expect(resolved.containerPath == "/models" + snapshot)
    #expect(resolved.commit == "3333333333333333333333333333333333333333")
  }

  @Test func aFileREFAtARevisionIsThatRevisionsFile() throws {
    let old = "4444444444444444444444444444444444444444"
    let new = "5555555555555555555555555555555555555555"
    try stock("acme/Tiny-GGUF", commit: old, files: ["quant/tiny.gguf"], refs: ["main"])
    try stock("acme/Tiny-GGUF", commit: new, files: ["quant/tiny.gguf"], refs: ["v2"])
    let resolver = try resolver()
    let folder = store + "/models--acme--Tiny-GGUF/snapshots/"

    #expect(
      try resolver.resolve("acme/Tiny-GGUF/quant/tiny.gguf", role: .llm, engine: .llamaCpp).hostPath == folder + old + "/quant/tiny.gguf")
    let tagged = try resolver.resolve("acme/Tiny-GGUF/quant/tiny.gguf@v2", role: .llm, engine: .llamaCpp)
    #expect(tagged.hostPath == folder + new + "/quant/tiny.gguf")
    #expect(tagged.containerPath == "/models/models--acme--Tiny-GGUF/snapshots/\(new)/quant/tiny.gguf")
    #expect(tagged.commit == new)
    // A commit is a revision too.
    #expect(
      try resolver.resolve(ModelReference(parsing: "acme/Tiny-GGUF/quant/tiny.gguf@\(old)"), role: .llm, engine: .llamaCpp).commit == old)

    // The project's lock wins over what main says now.
    var lock = ProjectLock()
    lock.files = [
      ProjectLock.Entry(
        repository: "acme/Tiny-GGUF", revision: "v2", commit: new, path: "quant/tiny.gguf", size: 15, sha256: nil, etag: "x")
    ]
    #expect(try self.resolver(lock: lock).resolve("acme/Tiny-GGUF/quant/tiny.gguf", role: .llm, engine: .llamaCpp).commit == new)
  }

  @Test func aLocalPathIsMountedForItsOwnService() throws {
    try disk.createDirectory(project + "/weights")
    try disk.write("gguf", to: project + "/weights/my.gguf")
    try disk.createDirectory(base + "/home/models/minilm")
    let resolver = try resolver()

    let llm = try resolver.resolve("./weights/../weights/my.gguf", role: .llm, engine: .llamaCpp)
    #expect(llm.hostPath == project + "/weights/my.gguf")
    #expect(llm.containerPath == "/local/llm/my.gguf")
    #expect(llm.localMount == project + "/weights:/local/llm:ro")
    #expect(llm.repository == nil && llm.commit == nil)

    let embedding = try resolver.resolve("~/models/minilm", role: .embedding, engine: .llamaCpp)
    #expect(embedding.hostPath == base + "/home/models/minilm")
    #expect(embedding.containerPath == "/local/embedding/minilm")
    #expect(embedding.localMount == base + "/home/models:/local/embedding:ro")
  }

  @Test func aREFThatIsNotThereSaysToPullIt() throws {
    try stock("acme/Tiny-GGUF", commit: "6666666666666666666666666666666666666666", files: ["tiny.gguf"], refs: ["main"])
    let resolver = try resolver()

    let error = #expect(throws: GenerateError.self) { try resolver.resolve("acme/Missing-GGUF/x.gguf", role: .llm, engine: .llamaCpp) }
    #expect(error == .modelNotInStore(role: "llm", ref: "acme/Missing-GGUF/x.gguf"))
    #expect(
      error?.description
        == "the llm model acme/Missing-GGUF/x.gguf is not in the model store, and the compose file names its snapshot files: run `synapse-local pull acme/Missing-GGUF/x.gguf` (or `models import`) first"
    )
    // A revision, a file or a catalog model the store lacks, and a local path that is not there.
    #expect(throws: GenerateError.modelNotInStore(role: "llm", ref: "acme/Tiny-GGUF/tiny.gguf@v9")) {
      try resolver.resolve("acme/Tiny-GGUF/tiny.gguf@v9", role: .llm, engine: .llamaCpp)
    }
    #expect(throws: GenerateError.modelNotInStore(role: "llm", ref: "acme/Tiny-GGUF/other.gguf")) {
      try resolver.resolve("acme/Tiny-GGUF/other.gguf", role: .llm, engine: .llamaCpp)
    }
    #expect(throws: GenerateError.modelNotInStore(role: "embedding", ref: "all-minilm-l6-v2")) {
      try resolver.resolve("all-minilm-l6-v2", role: .embedding, engine: .llamaCpp)
    }
    // A local path is never a thing to pull.
    #expect(throws: GenerateError.localModelMissing(role: "llm", ref: "./nowhere.gguf", path: project + "/nowhere.gguf")) {
      try resolver.resolve("./nowhere.gguf", role: .llm, engine: .llamaCpp)
    }
  }
}
