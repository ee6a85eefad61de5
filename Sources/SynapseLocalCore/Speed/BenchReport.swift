/// What `bench` prints: the medians with the prediction beside them, and every sample
/// (`bench --json`; docs/speed.md describes the fields).
public struct BenchReport: Codable, Sendable, Equatable {
  public struct Medians: Codable, Sendable, Equatable {
    public var promptTokensPerSecond: Double
    public var generationTokensPerSecond: Double
    public var timeToFirstTokenSeconds: Double

    public init(promptTokensPerSecond: Double, generationTokensPerSecond: Double, timeToFirstTokenSeconds: Double) {
      self.promptTokensPerSecond = promptTokensPerSecond
      self.generationTokensPerSecond = generationTokensPerSecond
      self.timeToFirstTokenSeconds = timeToFirstTokenSeconds
    }

    enum CodingKeys: String, CodingKey {
      case promptTokensPerSecond = "prompt_tokens_per_second"
      case generationTokensPerSecond = "generation_tokens_per_second"
      case timeToFirstTokenSeconds = "time_to_first_token_seconds"
    }
  }

  /// One streamed request after the measured ones: what a chat client sees, streaming included.
  public struct Received: Codable, Sendable, Equatable {
    public var generationTokensPerSecond: Double
    public var timeToFirstTokenSeconds: Double

    public init(generationTokensPerSecond: Double, timeToFirstTokenSeconds: Double) {
      self.generationTokensPerSecond = generationTokensPerSecond
      self.timeToFirstTokenSeconds = timeToFirstTokenSeconds
    }

    enum CodingKeys: String, CodingKey {
      case generationTokensPerSecond = "generation_tokens_per_second"
      case timeToFirstTokenSeconds = "time_to_first_token_seconds"
    }
  }

  public var engine: Engine
  /// The model file's name (or vLLM's repository) and the name it was served as.
  public var model: String
  public var servedName: String
  /// The engine's speed flags.
  public var flags: [String]
  /// Measured through a running stack's endpoint, sharing the engine with whatever else uses it.
  public var throughEndpoint: Bool
  public var contended: Bool
  public var workload: BenchWorkload
  public var samples: [BenchSample]
  /// The engine's own rates (llama-server's timings of whole replies), else the client's.
  public var median: Medians
  /// Nil when the measured requests were themselves streamed (an engine without timings).
  public var received: Received?
  /// The engine process's peak resident memory (VmHWM); nil when it is not this tool's child.
  public var peakResidentBytes: UInt64?
  public var prediction: SpeedEstimate?

  public init(
    engine: Engine, model: String, servedName: String, flags: [String], throughEndpoint: Bool, contended: Bool, workload: BenchWorkload,
    samples: [BenchSample], median: Medians, received: Received? = nil, peakResidentBytes: UInt64?, prediction: SpeedEstimate?
  ) {
    self.engine = engine
    self.model = model
    self.servedName = servedName
    self.flags = flags
    self.throughEndpoint = throughEndpoint
    self.contended = contended
    self.workload = workload
    self.samples = samples
    self.median = median
    self.received = received
    self.peakResidentBytes = peakResidentBytes
    self.prediction = prediction
  }

  enum CodingKeys: String, CodingKey {
    case engine, model, flags, contended, workload, samples, median, received, prediction
    case servedName = "served_name"
    case throughEndpoint = "through_endpoint"
    case peakResidentBytes = "peak_resident_bytes"
  }

  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }

  static func medians(_ samples: [BenchSample]) -> Medians {
    Medians(
      promptTokensPerSecond: median(samples.map(\.promptTokensPerSecond)),
      generationTokensPerSecond: median(samples.map(\.generationTokensPerSecond)),
      timeToFirstTokenSeconds: median(samples.map(\.timeToFirstTokenSeconds)))
  }

  /// Seconds for the reference request at the median rates: what `tune` minimizes.
  public var referenceSeconds: Double {
    SpeedEstimate(
      generationTokensPerSecond: median.generationTokensPerSecond, promptTokensPerSecond: median.promptTokensPerSecond,
      source: .measured
    ).seconds(promptTokens: ReferenceRequest.promptTokens, replyTokens: ReferenceRequest.replyTokens)
  }
}
