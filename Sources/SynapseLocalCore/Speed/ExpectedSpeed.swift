import Foundation
import SynapseLocalSystem

/// The generation speed the watchdog expects of the chat engine here: what `bench` (or `tune`)
/// last measured on this machine for the model, else what `recommend`'s speed model predicts for
/// the plan with this machine's calibration. None without either: the per-architecture estimate
/// is a guess that can be off by more than `llm.slow_ratio` allows, and a watchdog that cries
/// wolf (or restarts a healthy engine) is worse than one that is off and says so.
public struct ExpectedSpeed: Sendable, Equatable {
  public enum Source: String, Sendable {
    /// Measured here by `bench` or `tune`.
    case bench
    /// Predicted by the speed model (`recommend`'s) from this machine's calibration.
    case recommend
  }

  public var tokensPerSecond: Double
  public var from: Source

  public init(tokensPerSecond: Double, from: Source) {
    self.tokensPerSecond = tokensPerSecond
    self.from = from
  }

  /// "12.3 tok/s (measured here by bench)".
  public var summary: String {
    SpeedEstimate.format(tokensPerSecond) + (from == .bench ? " (measured here by bench)" : " (predicted by recommend's speed model)")
  }

  /// For the model file at `path` (nil: vLLM's repository) served with `llm`'s flags on `engine`:
  /// a measurement with the same flags first, then the speed model (which itself prefers a
  /// measurement with the same GPU offload over a prediction).
  public static func of(
    path: String?, ref: ModelReference, llm: ProjectConfiguration.LLM, engine: Engine, hardware: HardwareReport,
    measurements: [SpeedMeasurement], catalog: ModelCatalog, files: any FileSystem
  ) -> ExpectedSpeed? {
    let label = path.map { ($0 as NSString).lastPathComponent } ?? ref.description
    let model = SpeedModel(hardware: hardware, measurements: measurements)
    let flags = engine == .vllm ? [] : EngineArguments.llamaCppSpeedFlags(llm)
    if let same = model.measurements.last(where: { $0.model == label && $0.engine == engine && $0.flags == flags }) {
      return ExpectedSpeed(tokensPerSecond: same.generationTokensPerSecond, from: .bench)
    }
    guard let cost = ModelCost.of(ref: ref, path: path, files: files, engine: engine, catalog: catalog) else { return nil }
    let speed = model.predict(cost, engine: engine, llm: llm, served: label)
    guard speed.source != .estimated, speed.generationTokensPerSecond.isFinite, speed.generationTokensPerSecond > 0 else { return nil }
    return ExpectedSpeed(tokensPerSecond: speed.generationTokensPerSecond, from: speed.source == .measured ? .bench : .recommend)
  }
}
