import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `bundle export --gpu` on the command line (in this process): a build the release does not publish for the target
/// is one line naming the valid ones (exit 1), before anything is read or written; `--gpu` with
/// `--no-runtimes` is a usage error.
@Suite("bundle export --gpu on the command line")
struct BundleGPUCLITests {
  @Test func aBuildTheReleaseDoesNotPublishIsOneLine() async throws {
    let folder = NSTemporaryDirectory() + "gpu-cli-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let environment = ["SYNAPSE_LOCAL_HOME": folder + "/home"]
    let cases = [
      (
        ["--platform", "macos-arm64", "--gpu", "rocm"], "llama.cpp b11541 publishes no rocm build for macos-arm64: --gpu takes metal there"
      ),
      (["--gpu", "cuda-11.8"], "cpu, cuda-12.8, cuda-13.4, metal, rocm, vulkan"),
    ]
    for (arguments, phrase) in cases {
      let result = await InProcessCLI.run(
        ["bundle", "export", folder + "/b.tar.zst", "--project", folder] + arguments,
        context: InProcessCLI.context(environment: environment))
      #expect(result.status == 1 && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
      #expect(result.stderr.contains(phrase), "\(arguments): \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: folder + "/b.tar.zst"))
    }
    let usage = await InProcessCLI.run(
      ["bundle", "export", folder + "/b.tar.zst", "--gpu", "cpu", "--no-runtimes"], context: InProcessCLI.context())
    #expect(usage.status == 64 && usage.stderr.contains("--no-runtimes carries none"), "\(usage.stderr)")
  }
}
