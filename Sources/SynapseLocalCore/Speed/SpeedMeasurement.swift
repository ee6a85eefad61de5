/// Speeds `bench` or `tune` measured for one model with one set of flags on one machine. Later
/// recommendations there use these instead of predictions.
public struct SpeedMeasurement: Codable, Sendable, Equatable {
  public var machine: MachineFingerprint
  public var engine: Engine
  /// The GGUF file's name, or the repository vLLM loaded.
  public var model: String
  /// The engine flags measured with (no model path, no port).
  public var flags: [String]
  public var promptTokensPerSecond: Double
  public var generationTokensPerSecond: Double
  public var measuredAt: String
  /// `bench` or `tune`.
  public var by: String

  public init(
    machine: MachineFingerprint, engine: Engine, model: String, flags: [String], promptTokensPerSecond: Double,
    generationTokensPerSecond: Double, measuredAt: String, by: String
  ) {
    self.machine = machine
    self.engine = engine
    self.model = model
    self.flags = flags
    self.promptTokensPerSecond = promptTokensPerSecond
    self.generationTokensPerSecond = generationTokensPerSecond
    self.measuredAt = measuredAt
    self.by = by
  }

  enum CodingKeys: String, CodingKey {
    case machine, engine, model, flags, by
    case promptTokensPerSecond = "prompt_tokens_per_second"
    case generationTokensPerSecond = "generation_tokens_per_second"
    case measuredAt = "measured_at"
  }

  /// `-ngl` in the flags measured with (0 when absent).
  public var gpuLayers: Int {
    guard let index = flags.firstIndex(of: "-ngl"), index + 1 < flags.count else { return 0 }
    return Int(flags[index + 1]) ?? 0
  }

  public var estimate: SpeedEstimate {
    SpeedEstimate(
      generationTokensPerSecond: generationTokensPerSecond, promptTokensPerSecond: promptTokensPerSecond, source: .measured)
  }
}
