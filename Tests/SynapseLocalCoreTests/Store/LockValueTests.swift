import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// Every value of a lock that becomes a path or reaches a command line has its shape checked as the
/// lock is read: one refusal per kind of value, each naming the value and what it should be.
@Suite("lock values")
struct LockValueTests {
  static let commit = String(repeating: "c", count: 40)
  static let digest = String(repeating: "d", count: 64)

  static func file(
    repository: String = "acme/tiny", revision: String = "main", commit: String = commit, path: String = "m.gguf",
    etag: String = digest, sha256: String = digest
  ) -> String {
    """
    version: 1
    files:
    - {repository: "\(repository)", revision: "\(revision)", commit: "\(commit)", path: "\(path)", size: 1, sha256: "\(sha256)", etag: "\(etag)"}
    """
  }

  static func pin(
    id: String = "llama.cpp", platform: String = "linux-x86_64", version: String = "b1", variant: String = "cpu",
    asset: String = "x.tar.gz", sha256: String = digest
  ) -> String {
    """
    version: 1
    files: []
    runtimes:
    - {id: "\(id)", platform: "\(platform)", version: "\(version)", variant: "\(variant)", asset: "\(asset)", sha256: "\(sha256)"}
    """
  }

  static let refused: [(String, String)] = [
    (file(repository: "../acme"), "repository \"../acme\" is not ORG/REPO"),
    (file(revision: "refs/../../x"), "revision \"refs/../../x\""),
    (file(commit: "../../../../home/u/.docker"), "commit \"../../../../home/u/.docker\""),
    (file(path: "../../escape"), "path \"../../escape\""),
    (file(path: "/etc/passwd"), "path \"/etc/passwd\""),
    (file(path: "a//b"), "path \"a//b\""),
    (file(path: "--local-dir=/models/x"), "path \"--local-dir=/models/x\""),
    (file(etag: "../x"), "etag \"../x\""),
    (file(sha256: "xyz"), "sha256 \"xyz\""),
    (pin(version: "../../../planted"), "has the version \"../../../planted\", which is not a plain name"),
    (pin(variant: "cpu/../../x"), "has the variant \"cpu/../../x\""),
    (pin(asset: "../../.bashrc"), "has the asset \"../../.bashrc\""),
    (pin(id: "ollama"), "runtime \"ollama\" is not one of"),
    (pin(platform: "../x"), "names the platform \"../x\""),
    (pin(sha256: "0"), "has the sha256 \"0\""),
    (pin(version: "--help"), "has the version \"--help\""),
  ]

  @Test(arguments: refused)
  func anUnsafeValueIsRefusedAsTheLockIsRead(_ text: String, _ reason: String) throws {
    let folder = "/project"
    let files = MemoryFileSystem(roots: [folder])
    try files.write(text, to: folder + "/synapse-local.lock")
    let error = #expect(throws: StoreError.self) { try ProjectLock.load(folder + "/synapse-local.lock", files: files) }
    #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
    #expect(error?.description.contains("\n") == false)
  }

  @Test func safeValuesStillLoad() throws {
    let folder = "/project"
    let files = MemoryFileSystem(roots: [folder])
    for text in [Self.file(revision: "refs/pr/1", path: "1_Pooling/config.json", etag: String(repeating: "e", count: 40)), Self.pin()] {
      try files.write(text, to: folder + "/synapse-local.lock")
      _ = try ProjectLock.load(folder + "/synapse-local.lock", files: files)
    }
  }
}
