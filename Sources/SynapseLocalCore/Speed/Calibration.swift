import Foundation
import SynapseLocalSystem

/// What `detect --calibrate` measured on a machine: its memory bandwidth per thread count and one
/// short run of the real engine. Cached in SYNAPSE_LOCAL_HOME and carried in `detect --json`, so a
/// hardware file from another machine brings that machine's figures (docs/detection.md).
public struct Calibration: Codable, Sendable, Equatable {
  /// Read bandwidth over a buffer larger than the last-level cache, with this many threads.
  public struct Bandwidth: Codable, Sendable, Equatable {
    public var threads: Int
    public var bytesPerSecond: Double

    public init(threads: Int, bytesPerSecond: Double) {
      self.threads = threads
      self.bytesPerSecond = bytesPerSecond
    }

    enum CodingKeys: String, CodingKey {
      case threads
      case bytesPerSecond = "bytes_per_second"
    }
  }

  /// One request to the real engine with the smallest model at hand.
  public struct EngineRun: Codable, Sendable, Equatable {
    public var engine: Engine
    /// The engine's `--version` line.
    public var version: String
    public var model: String
    public var threads: Int
    public var promptTokens: Int
    public var promptTokensPerSecond: Double
    public var generatedTokens: Int
    public var generationTokensPerSecond: Double
    /// Generation time per token beyond reading the weights: sampling, scheduling, small kernels.
    public var perTokenOverheadSeconds: Double
    /// Prompt multiply-adds per second at `threads`, as one parameter × token is two operations,
    /// scaled to the kernels of a quantization without repacked kernels.
    public var computeOperationsPerSecond: Double

    public init(
      engine: Engine, version: String, model: String, threads: Int, promptTokens: Int, promptTokensPerSecond: Double,
      generatedTokens: Int, generationTokensPerSecond: Double, perTokenOverheadSeconds: Double, computeOperationsPerSecond: Double
    ) {
      self.engine = engine
      self.version = version
      self.model = model
      self.threads = threads
      self.promptTokens = promptTokens
      self.promptTokensPerSecond = promptTokensPerSecond
      self.generatedTokens = generatedTokens
      self.generationTokensPerSecond = generationTokensPerSecond
      self.perTokenOverheadSeconds = perTokenOverheadSeconds
      self.computeOperationsPerSecond = computeOperationsPerSecond
    }

    enum CodingKeys: String, CodingKey {
      case engine, version, model, threads
      case promptTokens = "prompt_tokens"
      case promptTokensPerSecond = "prompt_tokens_per_second"
      case generatedTokens = "generated_tokens"
      case generationTokensPerSecond = "generation_tokens_per_second"
      case perTokenOverheadSeconds = "per_token_overhead_seconds"
      case computeOperationsPerSecond = "compute_operations_per_second"
    }
  }

  /// ISO 8601, UTC.
  public var takenAt: String
  public var machine: MachineFingerprint
  public var bandwidth: [Bandwidth]
  /// Nil when no engine or no model was at hand: the bandwidth is still measured.
  public var engineRun: EngineRun?

  public init(takenAt: String, machine: MachineFingerprint, bandwidth: [Bandwidth], engineRun: EngineRun?) {
    self.takenAt = takenAt
    self.machine = machine
    self.bandwidth = bandwidth
    self.engineRun = engineRun
  }

  enum CodingKeys: String, CodingKey {
    case machine, bandwidth
    case takenAt = "taken_at"
    case engineRun = "engine_run"
  }

  /// The best bandwidth measured with at most `threads` threads; more threads than were measured
  /// get the largest figure (bandwidth saturates).
  public func bytesPerSecond(threads: Int) -> Double? {
    let usable = bandwidth.filter { $0.threads <= max(1, threads) }
    return (usable.isEmpty ? bandwidth : usable).map(\.bytesPerSecond).max()
  }

  public var day: String { String(takenAt.prefix(10)) }
}
