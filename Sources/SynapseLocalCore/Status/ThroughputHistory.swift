/// The chat engine's speed over the last minutes, for the status page's chart: one sample every
/// `intervalSeconds`, the oldest dropped past `capacity` (by default 5 s for 15 min). Samples are
/// evenly spaced, so a sample's place in the list is its time; a window without an engine to read
/// is a sample with no speed.
public struct ThroughputHistory: Sendable, Equatable, Codable {
  public struct Sample: Sendable, Equatable, Codable {
    /// The served name the engine had then (a swap changes it).
    public var model: String?
    public var speed: EngineSpeed

    public init(model: String?, speed: EngineSpeed) {
      self.model = model
      self.speed = speed
    }

    enum CodingKeys: String, CodingKey { case model, prompt, generation }

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      model = try c.decodeIfPresent(String.self, forKey: .model)
      speed = EngineSpeed(
        prompt: try c.decodeIfPresent(Double.self, forKey: .prompt), generation: try c.decodeIfPresent(Double.self, forKey: .generation))
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(model, forKey: .model)
      try c.encode(speed.prompt, forKey: .prompt)
      try c.encode(speed.generation, forKey: .generation)
    }
  }

  public var intervalSeconds: Int
  public var capacity: Int
  public private(set) var samples: [Sample] = []

  public init(intervalSeconds: Int = 5, capacity: Int = 180) {
    self.intervalSeconds = intervalSeconds
    self.capacity = max(1, capacity)
  }

  public mutating func record(_ sample: Sample) {
    samples.append(sample)
    if samples.count > capacity { samples.removeFirst(samples.count - capacity) }
  }

  /// The highest speed kept, of either kind (the chart's scale); 0 when there is none.
  public var peak: Double {
    samples.flatMap { [$0.speed.prompt, $0.speed.generation].compactMap { $0 } }.max() ?? 0
  }

  enum CodingKeys: String, CodingKey {
    case intervalSeconds = "interval_seconds"
    case capacity, samples
  }
}
