import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Issue 35, defect 11: `bundle export` says what it carries, with sizes, and warns about a model
/// the lock pins that neither role uses (it would be carried for nothing).
@Suite("bundle export: what it carries")
struct BundleExportContentsTests {
  let root = "/scratch"
  /// The project, the store and the models to import, in memory; the repository's templates and
  /// profiles at /share.
  let files = MemoryFileSystem(roots: ["/scratch", "/share"])
  var project: String { root + "/project" }
  var context: Context {
    Context.testing(
      environment: [
        "HF_HUB_CACHE": root + "/store", "HOME": root, "SYNAPSE_LOCAL_HOME": root + "/home", "PATH": "",
        "SYNAPSE_LOCAL_TEMPLATES": "/share/templates", "SYNAPSE_LOCAL_PROFILES": "/share/profiles",
      ], files: files)
  }

  @Test func theSummaryListsEachModelWithItsSizeAndNamesAnUnusedOne() async throws {
    try Fixtures.share(into: files, at: "/share")
    try files.createDirectory(root + "/embed")
    try files.createDirectory(project)
    var configuration = ProjectConfiguration()
    configuration.llm.model = "me/new-GGUF/new.gguf"
    configuration.embedding.model = "me/embed"
    configuration.backend.enabled = false
    configuration.frontend.enabled = false
    try files.write(
      ProjectFile.render(configuration, renderer: try TemplateRenderer.live(environment: context.environment, files: files)),
      to: ProjectFile.path(in: project))
    let tiny = GGUFBuilder.tinyLlama().bytes()
    try files.write(Data(tiny), to: root + "/old.gguf", permissions: 0o644)
    try files.write(Data(tiny + [1]), to: root + "/new.gguf", permissions: 0o644)
    try files.write(Data("{}".utf8), to: root + "/embed/config.json", permissions: 0o644)
    try files.write(Data("tool".utf8), to: root + "/tool", permissions: 0o644)
    let lock = project + "/" + ProjectLock.fileName
    let store = ModelStoreService(context: context)
    for (source, target) in [("old.gguf", "me/old-GGUF/old.gguf"), ("new.gguf", "me/new-GGUF/new.gguf"), ("embed", "me/embed")] {
      _ = try store.importModel(root + "/" + source, as: target, revision: "main", lockPath: lock)
    }

    let result = try await BundleExporter(context: context).export(
      to: root + "/b.tar.zst", options: .init(project: project, python: "3.12", tool: root + "/tool", runtimes: false))
    let models = result.contents.filter { $0.kind == "model" }.map { "\($0.name) \($0.sizeBytes)" }
    #expect(
      models == ["me/new-GGUF/new.gguf \(tiny.count + 1)", "me/old-GGUF/old.gguf \(tiny.count)", "me/embed/config.json 2"])
    #expect(result.contents.contains { $0.kind == "tool" && $0.sizeBytes == 4 })
    #expect(result.notes.contains { $0.contains("me/old-GGUF/old.gguf") && $0.contains("neither the llm nor the embedding model uses") })
    #expect(!result.notes.contains { $0.contains("me/new-GGUF/new.gguf") })
    let json = String(decoding: try JSONDocument.encode(result), as: UTF8.self)
    #expect(json.contains(#""size_bytes" : \#(tiny.count + 1)"#))
    // No app enabled: none carried, and the unsigned format older tools read.
    #expect(result.app == nil && !result.contents.contains { $0.kind == "app" })
    #expect(try BundleImporter(context: context).list(root + "/b.tar.zst").format == BundleManifest.unsignedFormat)

    // An enabled app with no package.json here: `up` would stop on the target, so the export does.
    configuration.backend.enabled = true
    try files.write(
      ProjectFile.render(configuration, renderer: try TemplateRenderer.live(environment: context.environment, files: files)),
      to: ProjectFile.path(in: project))
    await #expect(
      throws: BundleError.cannotExport(
        reason:
          "the backend has no package.json here (\(project)/src/api): `up` would stop there on the target too; set backend.dir to the app's folder, or backend.enabled: false, or pass --no-app"
      )
    ) {
      try await BundleExporter(context: context).export(
        to: root + "/c.tar.zst", options: .init(project: project, python: "3.12", tool: root + "/tool", runtimes: false))
    }
    #expect(
      !files.exists(root + "/c.tar.zst") && !files.exists(root + "/c.tar.zst.partial"))
  }
}

/// Issue 36: a bundle of a CUDA build carries its `cudart` companion too, found in `downloads/`
/// or beside the file the build came from; a CPU build carries none; a missing one stops the export.
@Suite("bundle export: a CUDA build's companion")
struct BundleCompanionTests {
  @Test func theCompanionIsFoundBesideTheBuildOrInDownloads() throws {
    let root = "/scratch"
    // The repository's profiles at /share (engines.yaml names the companion).
    let files = MemoryFileSystem(roots: [root, "/share"])
    try Fixtures.share(into: files, at: "/share")
    let context = Context.testing(
      environment: ["HOME": root, "SYNAPSE_LOCAL_HOME": root + "/home", "SYNAPSE_LOCAL_PROFILES": "/share/profiles"], files: files)
    let exporter = BundleExporter(context: context)
    let cuda = root + "/from/llama-b11541-bin-ubuntu-cuda-12.8-x64.tar.gz"
    let companion = "cudart-llama-b11541-bin-ubuntu-cuda-12.8-x64.tar.gz"
    try files.createDirectory(root + "/from")
    try files.write(Data(), to: cuda, permissions: 0o644)
    #expect(throws: BundleError.self) { try exporter.companionArchive(of: cuda) }
    try files.write(Data(), to: root + "/from/" + companion, permissions: 0o644)
    let found = try #require(try exporter.companionArchive(of: cuda))
    #expect(found.path == root + "/from/" + companion)
    #expect(found.sha256 == "6c8acf749cb80a5932b8c5ba16476c3626ce72b09bcfe9078c27b1087ae39c4f")
    #expect(try exporter.companionArchive(of: root + "/from/llama-b11541-bin-ubuntu-x64.tar.gz") == nil)
  }
}
