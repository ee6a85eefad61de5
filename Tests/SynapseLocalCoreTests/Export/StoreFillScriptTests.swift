import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The model store's fill script: a lock value that would break its lines is refused, and the
/// stack its other tests build. (The script run for real by `/bin/sh` is in the integration
/// tests, `StoreFillScriptRunTests`.)
@Suite("model store fill script")
struct StoreFillScriptTests {
  /// Names that would run `touch` if the shell read them as code, or break a quoted word.
  static let hostile = [
    "m$(touch pwned).gguf", "sub dir/`touch pwned-backtick` it's \"q\" *.gguf", "$(touch pwned-pulled) ${HOME}.gguf",
  ]

  static func stack(_ files: [KubernetesStack.StoreFile]) throws -> KubernetesStack {
    KubernetesStack(
      configuration: ProjectConfiguration(), request: KubernetesRequest(project: "/p", output: "/o"), images: try Fixtures.images(),
      services: [:], llmPath: "", embeddingPath: "", llmArguments: [], llmOnGPU: false, gpusPerPod: 0, multiNode: nil,
      llmMemoryBytes: 0, embeddingMemoryBytes: 0, llmCPUs: 1, embeddingCPUs: 1, dbMemoryBytes: 0, backendMemoryBytes: 0,
      frontendMemoryBytes: 0, backendEnvironment: [], storeFiles: files)
  }

  @Test func aLockValueWithALineBreakIsRefused() throws {
    let commit = String(repeating: "c", count: 40)
    let entry = ProjectLock.Entry(
      repository: "org/a", revision: "main", commit: commit, path: "a.gguf\n\(String(repeating: "0", count: 64))  ../../etc/passwd",
      size: 1, sha256: String(repeating: "a", count: 64), etag: "e")
    #expect(throws: ExportError.self) { try KubernetesExporter.checkLocked(entry) }
    do {
      try KubernetesExporter.checkLocked(entry)
    } catch {
      #expect("\(error)".contains("control character") && !"\(error)".contains("\n"), "\(error)")
    }
    var digest = entry
    digest.path = "a.gguf"
    digest.sha256 = "abc\n"
    #expect(throws: ExportError.self) { try KubernetesExporter.checkLocked(digest) }
    digest.sha256 = String(repeating: "a", count: 64)
    try KubernetesExporter.checkLocked(digest)
  }
}
