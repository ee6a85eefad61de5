import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `install vllm --plan [--json]` on fixture machines, on the command line (in this process): the CUDA line, its
/// requirement file, index and driver, and a one-line refusal (exit 1) where no line fits; nothing
/// is downloaded. `install vllm` refuses the same machines before pip runs.
@Suite("install vllm --plan")
struct VLLMPlanCLITests {
  func run(_ arguments: [String], machine: String) async throws -> CLIResult {
    await InProcessCLI.run(
      arguments,
      context: InProcessCLI.context(
        machine: machine, environment: ["SYNAPSE_LOCAL_HOME": NSTemporaryDirectory() + "vllm-plan-home-\(UUID().uuidString.prefix(8))"]))
  }

  @Test func driver550GetsThePinnedLine() async throws {
    let result = try await run(["install", "vllm", "--plan", "--json"], machine: "gpu-workstation")
    try #require(result.status == 0, "\(result.stderr)")
    let plan = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(plan["line"] as? String == "cu128" && plan["cuda"] as? String == "12.8" && plan["pinned"] as? Bool == true)
    #expect(plan["requirements"] as? String == "runtimes/vllm.txt" && plan["index"] is NSNull)
    #expect(plan["min_driver"] as? String == "525.60.13")
    #expect((plan["reason"] as? String)?.contains("RTX 4090") == true)
    let text = try await run(["install", "vllm", "--plan"], machine: "gpu-workstation")
    for phrase in ["driver needed  525.60.13", "profiles/runtimes/vllm.txt", "Nothing was downloaded"] {
      #expect(text.stdout.contains(phrase), "\(phrase): \(text.stdout)")
    }
    // Another platform with this machine's GPU: arm64's CUDA torch is not on PyPI, so not pinned.
    let arm = try await run(["install", "vllm", "--plan", "--platform", "linux-aarch64"], machine: "gpu-workstation")
    #expect(arm.status == 0 && arm.stdout.contains("none: not pinned here") && arm.stdout.contains("refuses this line"), "\(arm.stdout)")
  }

  @Test func eachMachineNoLineFitsIsRefusedInOneLine() async throws {
    let cases = [
      ("old-driver-server", ["470.82.01", "525.60.13", "install a newer NVIDIA driver"]),
      ("laptop-v2", ["vLLM needs an NVIDIA GPU and none was detected"]),
      ("pascal-workstation", ["compute capability 6.1", "7.0, 7.5"]),
    ]
    for (machine, phrases) in cases {
      let result = try await run(["install", "vllm", "--plan", "--json"], machine: machine)
      #expect(result.status == 1 && result.stdout.isEmpty, "\(machine): \(result.stdout)")
      let lines = result.stderr.split(separator: "\n")
      #expect(lines.count == 1 && lines[0].hasPrefix("synapse-local: error: "), "\(machine): \(result.stderr)")
      for phrase in phrases { #expect(result.stderr.contains(phrase), "\(machine), \(phrase): \(result.stderr)") }
    }
  }

  /// The install itself refuses an old driver before any Python environment is made.
  @Test func installRefusesAnOldDriverBeforePip() async throws {
    let home = NSTemporaryDirectory() + "vllm-refused-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: home) }
    let machine = "old-driver-server"
    let result = await InProcessCLI.run(
      ["install", "vllm"], context: InProcessCLI.context(machine: machine, environment: ["SYNAPSE_LOCAL_HOME": home]))
    #expect(result.status == 1 && result.stderr.contains("470.82.01") && result.stderr.contains("--force"), "\(result.stderr)")
    #expect(!result.stdout.contains("pip install"))
    #expect(!FileManager.default.fileExists(atPath: home + "/runtimes/vllm"))
  }

  @Test func misuseIsAUsageError() async throws {
    let variant = try await run(["install", "vllm", "--plan", "--variant", "cpu"], machine: "gpu-workstation")
    #expect(variant.status == 64 && variant.stderr.contains("--variant chooses a llama.cpp build"))
    let two = try await run(["install", "vllm", "llama.cpp", "--plan"], machine: "gpu-workstation")
    #expect(two.status == 64 && two.stderr.contains("--plan shows one runtime's choice"))
  }
}
