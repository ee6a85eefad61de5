import Foundation
import SynapseLocalSystem

/// `speed.floor`: where `bench`/`tune` measured the chat model here, or a calibration predicts it,
/// generation below the guide's 10 tok/s, with what would help.
public struct SpeedFloorCheck: DoctorCheck {
  public let id = "speed.floor"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    let served = subject.llmPath.map { ($0 as NSString).lastPathComponent }
    let model = SpeedModel(hardware: subject.hardware, measurements: subject.measurements)
    let measured = served.flatMap { model.measured(model: $0, engine: c.engine, gpuLayers: c.engine == .vllm ? nil : c.llm.gpuLayers) }
    guard measured != nil || model.calibration != nil else {
      return .skipped(id, "nothing measured here yet: synapse-local bench\(subject.projectFlag), or detect --calibrate")
    }
    guard
      let cost = ModelCost.of(
        ref: c.llm.model, path: subject.llmPath, files: subject.context.files, engine: c.engine, catalog: subject.catalog)
    else {
      return .skipped(id, "the chat model's shape is unknown")
    }
    let speed = model.predict(cost, engine: c.engine, llm: c.llm, served: served)
    let floor = Recommender.defaultMinimumSpeed
    let how = speed.source == .measured ? "measured" : "predicted from this machine's calibration"
    if speed.generationTokensPerSecond < floor {
      return .warning(
        id,
        "\(c.llm.model) generates \(SpeedEstimate.format(speed.generationTokensPerSecond)) here (\(how)), under the guide's \(SpeedEstimate.format(floor))",
        fix:
          "synapse-local tune\(subject.projectFlag) for the flags; a smaller model (synapse-local recommend names one that reaches the floor); or a GPU"
      )
    }
    return .ok(id, "\(SpeedEstimate.format(speed.generationTokensPerSecond)) generation (\(how))")
  }
}
