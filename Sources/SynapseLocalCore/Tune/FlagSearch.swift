/// The search `tune` runs: coordinate descent from the project's flags. Each pass tries every
/// other value of one dimension at a time, the others held, and moves to the best; passes repeat
/// until one changes nothing or the budget would be overrun. Points already measured are not
/// measured again, and points the engine treats alike (`normalize`) count as one. A move needs a
/// gain above `noise`, so measurement jitter does not walk the search around. When the search
/// ends with budget left and a runner-up within `confirmMargin` of the best, both are measured
/// once more and the better mean wins: one lucky or unlucky measurement does not decide.
public struct FlagSearch: Sendable {
  public struct Trial: Sendable, Equatable, Codable {
    public var point: TunePoint
    /// Nil when the engine failed with these flags.
    public var seconds: Double?
    public var error: String?
  }

  public struct Result: Sendable, Equatable {
    public var best: TunePoint
    public var bestSeconds: Double
    public var start: TunePoint
    public var startSeconds: Double
    public var trials: [Trial]
    /// `converged` or `budget`.
    public var stoppedBy: String
  }

  public var dimensions: [TuneDimension]
  public var normalize: @Sendable (TunePoint) -> TunePoint
  /// The smallest relative gain that counts as better.
  public var noise: Double
  /// How close a runner-up must be to be measured again with the best.
  public var confirmMargin = 0.10

  public init(dimensions: [TuneDimension], noise: Double = 0.02, normalize: @escaping @Sendable (TunePoint) -> TunePoint = { $0 }) {
    self.dimensions = dimensions
    self.noise = noise
    self.normalize = normalize
  }

  /// `elapsed` is seconds spent so far (the runner's clock); a new measurement starts only when the
  /// mean one so far still fits in what is left of `budget`.
  public func run(_ runner: any TuneRunner, budget: Double, elapsed: @Sendable () async -> Double) async throws -> Result {
    var measured: [TunePoint: Double?] = [:]
    var trials: [Trial] = []
    var spent: [Double] = []

    func cost(_ raw: TunePoint) async throws -> Double?? {
      let point = normalize(raw)
      if let known = measured[point] { return .some(known) }
      try Task.checkCancellation()
      let now = await elapsed()
      let mean = spent.isEmpty ? 0 : spent.reduce(0, +) / Double(spent.count)
      if !trials.isEmpty && now + mean > budget { return .none }
      try Task.checkCancellation()
      var seconds: Double?
      var failure: String?
      do {
        seconds = try await runner.measure(point)
      } catch is CancellationError {
        throw CancellationError()
      } catch {
        // A measurement cut short by Ctrl-C is not a flag the engine refused.
        try Task.checkCancellation()
        failure = String(describing: error)
      }
      spent.append(await elapsed() - now)
      measured[point] = seconds
      trials.append(Trial(point: point, seconds: seconds, error: failure))
      return .some(seconds)
    }

    let start = normalize(TunePoint(Dictionary(uniqueKeysWithValues: dimensions.map { ($0.key, $0.start) })))
    guard case .some(let first) = try await cost(start), let startSeconds = first else {
      let reason = trials.last?.error ?? "the engine did not run"
      throw TuneError.startFailed(reason)
    }
    var current = start
    var currentSeconds = startSeconds
    var stoppedBy = "converged"
    search: while true {
      var moved = false
      for dimension in dimensions {
        var bestHere = (current, currentSeconds)
        for value in dimension.values where value != current[dimension.key] {
          guard case .some(let result) = try await cost(current.with(dimension.key, value)) else {
            stoppedBy = "budget"
            if bestHere.0 != current { (current, currentSeconds) = bestHere }
            break search
          }
          if let seconds = result, seconds < bestHere.1 * (1 - noise) {
            bestHere = (normalize(current.with(dimension.key, value)), seconds)
          }
        }
        if bestHere.0 != current {
          (current, currentSeconds) = bestHere
          moved = true
        }
      }
      if !moved { break }
    }
    // The runner-up, measured again beside the best when the budget allows both.
    let ranked = measured.compactMap { point, seconds in seconds.map { (point, $0) } }.sorted { $0.1 < $1.1 }
    if ranked.count >= 2, ranked[0].0 == current, ranked[1].1 <= currentSeconds * (1 + confirmMargin) {
      let runnerUp = ranked[1]
      let now = await elapsed()
      let mean = spent.isEmpty ? 0 : spent.reduce(0, +) / Double(spent.count)
      if now + 2 * mean <= budget {
        try Task.checkCancellation()
        let again = [(current, currentSeconds), runnerUp].map { $0 }
        var averages: [(TunePoint, Double)] = []
        for (point, first) in again {
          let started = await elapsed()
          let second = try? await runner.measure(point)
          spent.append(await elapsed() - started)
          trials.append(Trial(point: point, seconds: second, error: second == nil ? "failed when measured again" : nil))
          averages.append((point, second.map { (first + $0) / 2 } ?? .infinity))
        }
        if let best = averages.min(by: { $0.1 < $1.1 }), best.1.isFinite { (current, currentSeconds) = best }
      }
    }
    return Result(
      best: current, bestSeconds: currentSeconds, start: start, startSeconds: startSeconds, trials: trials, stoppedBy: stoppedBy)
  }
}
