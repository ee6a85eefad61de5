import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// A lock is read wherever it comes from (a pull, a bundle, a colleague's commit, a hand edit), and
/// its values become paths: a runtime pin's version and variant name a folder whose `runtime.json`
/// names the program `up` and `doctor` run. A value that climbs out of its folder is refused at the
/// first command that reads the lock, before anything is run.
@Suite("lock values on the command line", .serialized)
struct LockValuesCLITests {
  @Test(.timeLimit(.minutes(1)))
  func aRuntimePinThatClimbsOutOfItsFolderRunsNothing() async throws {
    let root = NSTemporaryDirectory() + "lock-values-\(UUID().uuidString.prefix(8))"
    let project = root + "/synapse"
    let home = root + "/home"
    try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let environment = ["HF_HUB_CACHE": root + "/store", "HF_HUB_OFFLINE": "1", "SYNAPSE_LOCAL_HOME": home]
    let initialized = try await CLIRunner.run(["init", "--profile", "demo", "--project", project], environment: environment)
    try #require(initialized.status == 0, "\(initialized.stderr)")

    // A planted program where the pin's `../..` leads: home/runtimes/llama.cpp/../../../planted-….
    let planted = root + "/planted-cpu-linux-x86_64"
    let marker = root + "/planted-ran"
    try FileManager.default.createDirectory(atPath: planted, withIntermediateDirectories: true)
    try "#!/bin/sh\ntouch \(marker)\necho 'version: 1'\n".write(toFile: planted + "/llama-server", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: planted + "/llama-server")
    try RuntimeManifest(
      id: .llamaCpp, version: "b1", variant: "cpu", platform: .linuxX64, path: planted, executable: planted + "/llama-server",
      sha256: String(repeating: "a", count: 64), source: "planted", installed: .testing, asset: "x.tar.gz"
    ).write(into: planted, files: RootedFileSystem())
    #expect(FileManager.default.fileExists(atPath: home + "/runtimes/llama.cpp/../../../planted-cpu-linux-x86_64/runtime.json") == false)
    try FileManager.default.createDirectory(atPath: home + "/runtimes/llama.cpp", withIntermediateDirectories: true)
    #expect(FileManager.default.fileExists(atPath: home + "/runtimes/llama.cpp/../../../planted-cpu-linux-x86_64/runtime.json"))
    try """
    version: 1
    files: []
    runtimes:
    - id: llama.cpp
      platform: linux-x86_64
      version: ../../../planted
      variant: cpu
      asset: x.tar.gz
      sha256: \(String(repeating: "a", count: 64))
    """.write(toFile: project + "/synapse-local.lock", atomically: true, encoding: .utf8)

    for command in [["doctor"], ["up", "-d", "--no-install"], ["install", "llm"], ["pull"], ["models", "list"]] {
      let result = try await CLIRunner.run(command + ["--project", project], environment: environment)
      let lines = result.stderr.split(separator: "\n")
      #expect(result.status == 1, "\(command): \(result.stdout) \(result.stderr)")
      #expect(
        lines.count == 1 && result.stderr.contains("synapse-local.lock is not a synapse-local lock file")
          && result.stderr.contains(#"has the version "../../../planted", which is not a plain name"#), "\(command): \(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: marker), "the planted program never ran")
    #expect(!FileManager.default.fileExists(atPath: project + "/.synapse-local/run"), "nothing started")
  }
}
