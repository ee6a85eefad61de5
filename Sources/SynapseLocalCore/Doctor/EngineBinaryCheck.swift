import Foundation
import SynapseLocalSystem

/// `engine.binary`: the engine the plan runs is found and starts (`--version`); a GPU plan's
/// llama-server lists a GPU device (`--list-devices`) and loads its CUDA libraries; vLLM's driver
/// supports the CUDA it needs.
public struct EngineBinaryCheck: DoctorCheck {
  public let id = "engine.binary"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    let context = subject.context
    // The programs as `up` picks them.
    guard let resolution = await subject.programs() else { return .skipped(id, "this platform has no runtimes") }
    let runtime: RuntimeID = c.engine == .vllm ? .vllm : .llamaCpp
    let key = c.engine == .vllm ? "binaries.vllm" : "binaries.llama_server"
    if let problem = resolution.problems.first(where: { $0.key == key }) {
      return .failure(id, "\(problem.key): \(problem.message)", fix: nil)
    }
    guard !resolution.missing.contains(runtime) else {
      return .failure(
        id, "\(runtime.rawValue) is not installed, nor found in PATH",
        fix: "synapse-local install \(runtime.rawValue)\(subject.projectFlag) (`up` also installs it)")
    }
    let executable = c.engine == .vllm ? resolution.binaries.vllm : resolution.binaries.llamaServer
    let result: ProcessResult
    do {
      result = try await context.processes.run(executable, ["--version"], timeout: .seconds(30))
    } catch {
      return .failure(
        id, "\(executable) does not start: \(error)", fix: "synapse-local install \(runtime.rawValue) --force\(subject.projectFlag)")
    }
    let output = result.stdout + result.stderr
    guard result.status == 0 else {
      let cause = LogCause.recognize(output).map { ": \($0.summary)" } ?? ""
      return .failure(
        id, "\(executable) --version exits with status \(result.status)\(cause)",
        fix: "synapse-local install \(runtime.rawValue) --force\(subject.projectFlag)")
    }
    let version = output.split(separator: "\n").first { $0.contains("version") }.map(String.init) ?? "runs"
    // A plan that offloads layers needs a build that sees a GPU: ask it (--list-devices); builds
    // from before that flag fall back to what --version says about their backends.
    if c.engine == .llamaCpp && c.llm.gpuLayers > 0 && !subject.hardware.gpus.isEmpty {
      let listing = try? await context.processes.run(executable, ["--list-devices"], timeout: .seconds(30))
      if let listing, let list = LlamaDeviceList.parse(stdout: listing.stdout, stderr: listing.stderr) {
        if let finding = devicesFinding(list, executable: executable, subject: subject) { return finding }
        let gpus = list.gpus.map { "\($0.name) (\($0.description))" }.joined(separator: ", ")
        return .ok(id, "\(executable): \(version.trimmingCharacters(in: .whitespaces)); offloads to \(gpus)")
      }
      if subject.hardware.os == "linux" {
        let gpuBuild = ["CUDA", "cuBLAS", "ROCm", "HIP", "Metal", "Vulkan", "SYCL"].contains { output.contains($0) }
        if !gpuBuild {
          return .failure(
            id,
            "\(executable) is a CPU-only build (\(version.trimmingCharacters(in: .whitespaces))), but the plan offloads \(c.llm.gpuLayers) layers (-ngl)",
            fix: Self.gpuBuildFix(subject))
        }
      }
    }
    if c.engine == .vllm {
      guard let cuda = subject.hardware.cudaVersion, CUDADriverSupport.isAtLeast(cuda, EnginePlanner.vllmMinimumCUDA) else {
        return .failure(
          id,
          "the NVIDIA driver supports CUDA \(subject.hardware.cudaVersion ?? "(unknown)"); vLLM needs \(EnginePlanner.vllmMinimumCUDA) or newer",
          fix: "update the NVIDIA driver, or use llama.cpp (engine: llama.cpp)")
      }
    }
    return .ok(id, "\(executable): \(version.trimmingCharacters(in: .whitespaces))")
  }

  static func gpuBuildFix(_ subject: DoctorSubject) -> String {
    "synapse-local install llama.cpp --variant cuda-12.8|cuda-13.4|rocm|vulkan --force\(subject.projectFlag) (the build for this GPU), or set llm.gpu_layers: 0"
  }

  /// A failure when the build's device list has no GPU for the plan's -ngl, else nil.
  func devicesFinding(_ list: LlamaDeviceList, executable: String, subject: DoctorSubject) -> DoctorFinding? {
    let layers = subject.configuration.llm.gpuLayers
    guard list.gpus.isEmpty else { return nil }
    if let cause = list.cudaFailure {
      let fix =
        cause.lowercased().contains("insufficient") || cause.lowercased().contains("forward compatibility")
        ? "update the NVIDIA driver, or install the build it supports (synapse-local install llama.cpp --variant cuda-12.8|vulkan --force\(subject.projectFlag)), or set llm.gpu_layers: 0"
        : "reinstall the CUDA build with its cudart libraries beside llama-server (synapse-local install llama.cpp --variant cuda-12.8|cuda-13.4 --force\(subject.projectFlag)), or set llm.gpu_layers: 0"
      return .failure(
        id, "\(executable) cannot use CUDA (\(cause)), so none of the \(layers) layers the plan offloads (-ngl) would reach the GPU",
        fix: fix)
    }
    let listed = list.devices.isEmpty ? "none" : list.devices.map(\.name).joined(separator: ", ")
    return .failure(
      id,
      "\(executable) is a CPU-only build: --list-devices lists no GPU (\(listed)), but the plan offloads \(layers) layers (-ngl)",
      fix: Self.gpuBuildFix(subject))
  }
}
