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
    let store = NSTemporaryDirectory() + "calibration-store-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: store) }
    let commit = String(repeating: "c", count: 40)
    for (name, size) in [("big.gguf", 4096), ("small.gguf", 512)] {
      let blob = String(repeating: name == "big.gguf" ? "b" : "a", count: 64)
      let repository = store + "/models--acme--\(name.dropLast(5))"
      try FileManager.default.createDirectory(atPath: repository + "/blobs", withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: repository + "/snapshots/\(commit)", withIntermediateDirectories: true)
      try Data(count: size).write(to: URL(fileURLWithPath: repository + "/blobs/" + blob))
      try FileManager.default.createSymbolicLink(
        atPath: repository + "/snapshots/\(commit)/\(name)", withDestinationPath: "../../blobs/" + blob)
    }
    let context = Context.testing(
      system: MemoryFileSystem(roots: ["/"]), environment: ["HF_HUB_CACHE": store], processes: StubProcessRunner(),
      files: RootedFileSystem())
    let catalog = try ModelCatalog.load(from: ResourceLocator.sourceTree + "/profiles/catalog.yaml", files: RootedFileSystem())
    let calibrator = Calibrator(context: context, catalog: catalog)
    let (path, skipped) = try calibrator.modelPath(nil)
    #expect(skipped == nil)
    #expect(path == store + "/models--acme--small/snapshots/\(commit)/small.gguf")
    #expect(FileManager.default.fileExists(atPath: path ?? ""))
  }
}
