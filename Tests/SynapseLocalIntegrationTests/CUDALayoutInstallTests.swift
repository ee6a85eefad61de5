import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// A CUDA build from a GitHub-shaped mirror on loopback: the build's archive (the test bed's
/// llama-server standing in for the CUDA one) and its `cudart-…` companion (stand-in libraries),
/// both pinned in a test engines.yaml. `install --variant cuda-12.8` fetches and checks both, and
/// puts the companion's libraries beside llama-server; a tampered companion is refused and leaves
/// nothing installed.
@Suite("install a CUDA build with its companion", .tags(.integration), .serialized)
struct CUDALayoutInstallTests {
  static let build = "llama-\(RuntimeInstallTests.tag)-bin-ubuntu-cuda-12.8-x64.tar.gz"
  static let companion = "cudart-llama-\(RuntimeInstallTests.tag)-bin-ubuntu-cuda-12.8-x64.tar.gz"

  @Test(.timeLimit(.minutes(2)), .enabled(if: TestBed.shouldRun(.python, .llamaServer)))
  func theCompanionsLibrariesLandBesideLlamaServer() async throws {
    let material = try await RuntimeInstallTests.material.value
    let root = NSTemporaryDirectory() + "cuda-layout-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: root) }
    // The release: the CPU tarball under the CUDA build's name, and a companion of stand-in libraries.
    let release = root + "/mirror/ggml-org/llama.cpp/\(RuntimeInstallTests.tag)"
    try FileManager.default.createDirectory(atPath: release, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: material.archive(RuntimeInstallTests.tarball), toPath: release + "/" + Self.build)
    let libraries = root + "/cudart"
    try FileManager.default.createDirectory(atPath: libraries, withIntermediateDirectories: true)
    for name in ["libcudart.so.12", "libcublas.so.12"] {
      try Data("stand-in \(name)\n".utf8).write(to: URL(fileURLWithPath: libraries + "/" + name))
    }
    let (made, said) = try await runCommand("/bin/tar", ["-czf", release + "/" + Self.companion, "-C", libraries, "."])
    try #require(made == 0, "\(said)")
    let profiles = root + "/profiles"
    try FileManager.default.copyItem(atPath: material.profiles, toPath: profiles)
    func pin(companionDigest: String) throws {
      try """
      llama.cpp:
        repository: ggml-org/llama.cpp
        tag: \(RuntimeInstallTests.tag)
        assets:
          linux-x86_64:
            cpu: {name: \(RuntimeInstallTests.tarball), sha256: \(try Digest.sha256(ofFile: material.archive(RuntimeInstallTests.tarball), files: RootedFileSystem()))}
            cuda-12.8:
              name: \(Self.build)
              sha256: \(try Digest.sha256(ofFile: release + "/" + Self.build, files: RootedFileSystem()))
              companion: {name: \(Self.companion), sha256: \(companionDigest)}
              gpu: nvidia
              min_driver: 525
      """.write(toFile: profiles + "/engines.yaml", atomically: true, encoding: .utf8)
    }
    let releases = try await FakeReleases(python: try TestBed.require(.python), root: root + "/mirror")
    defer { Task { await releases.stop() } }
    let home = root + "/home"
    let environment = [
      "SYNAPSE_LOCAL_HOME": home, "SYNAPSE_LOCAL_PROFILES": profiles, "SYNAPSE_LOCAL_ENGINE_MIRROR": releases.mirror,
      "SYNAPSE_LOCAL_LLAMA_SERVER": "",
    ]

    // A companion whose bytes are not the pinned ones: refused, nothing installed.
    try pin(companionDigest: String(repeating: "0", count: 64))
    let refused = try await CLIRunner.run(["install", "llama.cpp", "--variant", "cuda-12.8"], environment: environment)
    #expect(refused.status == 1 && refused.stderr.contains(Self.companion), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: home + "/runtimes/llama.cpp/\(RuntimeInstallTests.tag)-cuda-12.8-linux-x86_64"))

    try pin(companionDigest: try Digest.sha256(ofFile: release + "/" + Self.companion, files: RootedFileSystem()))
    let installed = try await CLIRunner.run(["install", "llama.cpp", "--variant", "cuda-12.8", "--json"], environment: environment)
    try #require(installed.status == 0, "\(installed.stderr)")
    let manifest = try #require((try JSONSerialization.jsonObject(with: Data(installed.stdout.utf8)) as? [[String: Any]])?.first)
    let server = try #require(manifest["executable"] as? String)
    let folder = (server as NSString).deletingLastPathComponent
    #expect(manifest["variant"] as? String == "cuda-12.8")
    for name in ["libcudart.so.12", "libcublas.so.12"] {
      #expect(FileManager.default.fileExists(atPath: folder + "/" + name), "\(name) beside \(server)")
    }
    let (devices, output) = try await runCommand(server, ["--list-devices"])
    #expect(devices == 0 && output.contains("Available devices"))
  }
}
