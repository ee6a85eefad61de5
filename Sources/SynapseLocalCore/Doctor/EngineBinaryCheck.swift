import Foundation

/// `engine.binary`: the engine the plan runs is found and starts (`--version`); a GPU plan's
/// llama-server was built with a GPU backend; vLLM's driver supports the CUDA it needs.
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
    // NVIDIA offload on Linux: a build without CUDA (or another GPU backend) runs every layer on
    // the CPU whatever -ngl says. (macOS builds use Metal and say so less reliably.)
    if c.engine == .llamaCpp && c.llm.gpuLayers > 0 && subject.hardware.os == "linux" && !subject.hardware.gpus.isEmpty {
      let gpuBuild = ["CUDA", "cuBLAS", "ROCm", "HIP", "Metal", "Vulkan", "SYCL"].contains { output.contains($0) }
      if !gpuBuild {
        return .failure(
          id,
          "\(executable) is a CPU-only build (\(version.trimmingCharacters(in: .whitespaces))), but the plan offloads \(c.llm.gpuLayers) layers (-ngl)",
          fix: "synapse-local install llama.cpp --variant cuda\(subject.projectFlag), or set llm.gpu_layers: 0")
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
}
