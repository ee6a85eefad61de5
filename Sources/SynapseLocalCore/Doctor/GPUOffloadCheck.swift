import Foundation
import SynapseLocalSystem

/// `engine.gpu-offload`: after `up`, the engine's log says how many layers llama.cpp put on the GPU
/// (`load_tensors: offloaded N/M layers to GPU`). A plan that offloads layers (-ngl above 0) whose
/// engine offloaded none runs on the CPU, whatever the build or the plan says.
public struct GPUOffloadCheck: DoctorCheck {
  public let id = "engine.gpu-offload"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    guard c.engine == .llamaCpp, c.llm.gpuLayers > 0 else { return .skipped(id, "the plan offloads no layers (llm.gpu_layers)") }
    let log = subject.logFolder + "/\(ServiceName.llm.rawValue).log"
    guard let text = subject.context.files.readText(log) else {
      return .skipped(id, "no engine log yet (synapse-local up)")
    }
    // The last start's line: a log holds every start since it was rotated.
    guard let (offloaded, total) = text.split(separator: "\n").reversed().lazy.compactMap(Self.offload).first else {
      return .skipped(id, "the engine's log does not say how many layers it offloaded (yet)")
    }
    let detail = "llama-server offloaded \(offloaded)/\(total) layers to the GPU (\(log))"
    guard offloaded > 0 else {
      return .failure(
        id, "\(detail), but the plan offloads \(c.llm.gpuLayers) (-ngl): the model runs on the CPU",
        fix: EngineBinaryCheck.gpuBuildFix(subject) + "; then synapse-local restart llm\(subject.projectFlag)")
    }
    return .ok(id, detail)
  }

  /// "load_tensors: offloaded 31/31 layers to GPU" (older builds: "llm_load_tensors: …") → (31, 31).
  static func offload(_ line: Substring) -> (Int, Int)? {
    guard let range = line.range(of: "offloaded "), line.contains("layers to GPU") else { return nil }
    let figures = line[range.upperBound...].prefix { !$0.isWhitespace }.split(separator: "/")
    guard figures.count == 2, let offloaded = Int(figures[0]), let total = Int(figures[1]) else { return nil }
    return (offloaded, total)
  }
}
