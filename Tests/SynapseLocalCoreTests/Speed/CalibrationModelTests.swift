import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// `detect --calibrate` runs the engine with the smallest GGUF in the store: the path it gives is
/// the store's own file, with the store's root once (it was doubled: `…/hub//root/.cache/…`).
@Suite("calibration model")
struct CalibrationModelTests {
  @Test func theSmallestStoredGGUFIsFoundAtItsPath() throws {
    let store = "/store"
    let files = MemoryFileSystem(roots: [store, Fixtures.share])
    try Fixtures.share(into: files, at: Fixtures.share)
    let commit = String(repeating: "c", count: 40)
    for (name, size) in [("big.gguf", 4096), ("small.gguf", 512)] {
      let blob = String(repeating: name == "big.gguf" ? "b" : "a", count: 64)
      let repository = store + "/models--acme--\(name.dropLast(5))"
      try files.createDirectory(repository + "/blobs")
      try files.createDirectory(repository + "/snapshots/\(commit)")
      try files.write(Data(count: size), to: repository + "/blobs/" + blob, permissions: 0o644)
      try files.createLink(repository + "/snapshots/\(commit)/\(name)", to: "../../blobs/" + blob)
    }
    let context = Context.testing(
      system: MemoryFileSystem(roots: ["/"]), environment: ["HF_HUB_CACHE": store], processes: StubProcessRunner(),
      files: files)
    let catalog = try ModelCatalog.load(from: Fixtures.share + "/profiles/catalog.yaml", files: files)
    let calibrator = Calibrator(context: context, catalog: catalog)
    let (path, skipped) = try calibrator.modelPath(nil)
    #expect(skipped == nil)
    #expect(path == store + "/models--acme--small/snapshots/\(commit)/small.gguf")
    #expect(files.exists(path ?? ""))
  }
}
