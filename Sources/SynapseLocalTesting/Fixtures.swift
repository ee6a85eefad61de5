import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// Paths into the repository's committed test fixtures and runtime data.
public enum Fixtures {
  /// The checkout root, found from this file's compile-time path.
  public static let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  public static let root = repositoryRoot + "/Tests/Fixtures"

  public static func machine(_ name: String) -> String { "\(root)/machines/\(name)" }

  /// A context that reads `/proc` and `/sys` from a fixture machine and finds its fake `nvidia-smi`
  /// (if any) on PATH, running it for real.
  public static func machineContext(_ name: String) -> Context {
    let folder = machine(name)
    return Context.testing(
      system: RootedFileSystem(root: folder),
      environment: ["PATH": "\(folder)/bin", "HOME": "/nonexistent-home", "HF_HUB_CACHE": NSTemporaryDirectory()],
      processes: SystemProcessRunner(), files: RootedFileSystem())
  }

  public static func catalog() throws -> ModelCatalog {
    try ModelCatalog.load(from: repositoryRoot + "/profiles/catalog.yaml", files: RootedFileSystem())
  }

  public static func images() throws -> EngineImages {
    try EngineImages.load(repositoryRoot + "/profiles/" + EngineImages.fileName, files: RootedFileSystem())
  }

  /// The built `synapse-local` binary next to the test bundle.
  public static var executable: String {
    let products = Bundle.allBundles.map(\.bundlePath).first { $0.hasSuffix(".xctest") }
      .map { ($0 as NSString).deletingLastPathComponent }
    let candidates = [products, repositoryRoot + "/.build/debug"].compactMap { $0 }
    return candidates.map { $0 + "/synapse-local" }.first { FileManager.default.isExecutableFile(atPath: $0) }
      ?? repositoryRoot + "/.build/debug/synapse-local"
  }

  /// The repository's `templates/` and `profiles/`, copied into `files` under `folder` (for a test
  /// whose context reads them there: SYNAPSE_LOCAL_TEMPLATES and SYNAPSE_LOCAL_PROFILES).
  public static func share(into files: MemoryFileSystem, at folder: String) throws {
    for kind in ["templates", "profiles"] {
      for (name, bytes) in RepositoryFiles.shared.files(under: kind) {
        try files.write(bytes, to: folder + "/" + kind + "/" + name, permissions: 0o644)
      }
    }
  }

  /// Where `shareFiles()` holds the repository's templates and profiles.
  public static let share = "/share"

  /// A file system holding only the repository's `templates/` and `profiles/`, at `share`.
  public static func shareFiles() throws -> MemoryFileSystem {
    let files = MemoryFileSystem(roots: [share])
    try Self.share(into: files, at: share)
    return files
  }

  /// A fixture machine's `/proc` and `/sys` in memory, at the paths the hardware reader reads: a
  /// `system` file system that, as one rooted at the machine's folder, finds nothing else there
  /// (no `/dev/kfd`, no `/opt/rocm`).
  public static func machineSystem(_ name: String) throws -> MemoryFileSystem {
    let system = MemoryFileSystem(roots: ["/"])
    for kind in ["proc", "sys"] {
      for (path, bytes) in RepositoryFiles.shared.files(under: "Tests/Fixtures/machines/\(name)/\(kind)") {
        try system.write(bytes, to: "/\(kind)/\(path)", permissions: 0o644)
      }
    }
    return system
  }

  /// The files of a repository folder (as `under`, relative to the checkout), copied into `files`
  /// under `folder`.
  public static func copy(_ under: String, into files: MemoryFileSystem, at folder: String) throws {
    for (name, bytes) in RepositoryFiles.shared.files(under: under) {
      try files.write(bytes, to: folder + "/" + name, permissions: 0o644)
    }
  }
}
