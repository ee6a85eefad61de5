import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// The tuner's search on a fake runner: seeded cost surfaces over the benchmark's 24-point grid,
/// each measurement one virtual second, so "a quarter of the sweep's time" is six measurements.
@Suite("Flag search")
struct FlagSearchTests {

  static let grid = [
    TuneDimension(key: "threads", values: [1, 2], start: 2),
    // The physical batch before the logical one, which caps it: then one pass sees every
    // combination that can win.
    TuneDimension(key: "ubatch_size", values: [128, 512], start: 512),
    TuneDimension(key: "batch_size", values: [128, 512, 2048], start: 2048),
    TuneDimension(key: "flash_attention", values: [0, 1], start: 0),
  ]

  /// llama.cpp caps the physical batch at the logical one.
  static let normalize: @Sendable (TunePoint) -> TunePoint = { point in
    var values = point.values
    if let b = values["batch_size"], let ub = values["ubatch_size"], ub > b { values["ubatch_size"] = b }
    return TunePoint(values)
  }

  /// Seconds for a point: a product of per-dimension factors at least 15% apart (flags that
  /// matter), times up to ±`interaction` of seeded cross-talk between the flags.
  struct Surface: Sendable {
    var factors: [String: [Int: Double]]
    var interaction: Double
    var seed: UInt64
    var failing: @Sendable (TunePoint) -> Bool = { _ in false }

    init(seed: UInt64, interaction: Double) {
      var random = SplitMix64(seed: seed)
      var factors: [String: [Int: Double]] = [:]
      for dimension in FlagSearchTests.grid {
        var ranks = Array(0..<dimension.values.count)
        for i in stride(from: ranks.count - 1, to: 0, by: -1) { ranks.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        factors[dimension.key] = Dictionary(
          uniqueKeysWithValues: zip(dimension.values, ranks.map { 1 + 0.15 * Double($0) + 0.05 * random.unit() }))
      }
      self.factors = factors
      self.interaction = interaction
      self.seed = seed
    }

    func seconds(_ point: TunePoint) -> Double {
      let point = FlagSearchTests.normalize(point)
      var product = 1.0
      for (key, value) in point.values { product *= factors[key]?[value] ?? 1 }
      var random = SplitMix64(seed: seed ^ UInt64(truncatingIfNeeded: point.values.sorted { $0.key < $1.key }.map(\.value).hashValueStable))
      return product * (1 + interaction * (2 * random.unit() - 1))
    }

    /// The exhaustive sweep's best.
    var optimum: Double {
      var best = Double.infinity
      for t in [1, 2] {
        for b in [128, 512, 2048] {
          for ub in [128, 512] {
            for fa in [0, 1] {
              let point = TunePoint(["threads": t, "batch_size": b, "ubatch_size": ub, "flash_attention": fa])
              if !failing(point) { best = min(best, seconds(point)) }
            }
          }
        }
      }
      return best
    }
  }

  actor FakeRunner: TuneRunner {
    let surface: Surface
    var clock = 0.0
    var measured = 0

    init(_ surface: Surface) { self.surface = surface }

    func measure(_ point: TunePoint) async throws -> Double {
      clock += 1
      measured += 1
      if surface.failing(point) { throw TuneError.badRequest("mlock refused") }
      return surface.seconds(point)
    }

    func elapsed() -> Double { clock }
  }

  func search(_ surface: Surface, budget: Double, noise: Double = 0.02) async throws -> (FlagSearch.Result, Int) {
    let runner = FakeRunner(surface)
    let result = try await FlagSearch(dimensions: Self.grid, noise: noise, normalize: Self.normalize).run(
      runner, budget: budget, elapsed: { await runner.elapsed() })
    return (result, await runner.measured)
  }

  @Test(arguments: 1...20)
  func findsTheOptimumOfSeparableSurfacesInAQuarterOfTheSweep(seed: Int) async throws {
    let surface = Surface(seed: UInt64(seed), interaction: 0)
    // Without a noise threshold: the exact optimum (with it, a point within 2% may be kept).
    let (result, measured) = try await search(surface, budget: 24 / 4, noise: 0)
    #expect(measured <= 6)
    #expect(
      abs(result.bestSeconds - surface.optimum) < 1e-9, "seed \(seed): \(result.best) at \(result.bestSeconds), optimum \(surface.optimum)")
    #expect(result.bestSeconds <= result.startSeconds)
  }

  @Test(arguments: 1...20)
  func reachesNinetyFivePercentOfTheOptimumWithCrossTalk(seed: Int) async throws {
    let surface = Surface(seed: UInt64(seed) * 7919, interaction: 0.02)
    let (result, measured) = try await search(surface, budget: 24 / 4)
    #expect(measured <= 6)
    // Speed is the inverse of seconds: at least 95% of the sweep's best speed.
    #expect(surface.optimum / result.bestSeconds >= 0.95, "seed \(seed): \(result.bestSeconds) against \(surface.optimum)")
  }

  @Test func withBudgetToSpareItStopsWhenAPassChangesNothing() async throws {
    let surface = Surface(seed: 42, interaction: 0)
    let (result, measured) = try await search(surface, budget: 1000)
    #expect(result.stoppedBy == "converged")
    #expect(measured < 22, "it must not sweep the grid")
    #expect(abs(result.bestSeconds - surface.optimum) < 1e-9)
  }

  @Test func aSmallBudgetStopsTheSearchAndKeepsTheBestSoFar() async throws {
    let surface = Surface(seed: 3, interaction: 0)
    let (result, measured) = try await search(surface, budget: 2)
    #expect(result.stoppedBy == "budget")
    #expect(measured == 2)
    #expect(result.bestSeconds == result.trials.compactMap(\.seconds).min())
  }

  /// Flash attention on (not the start) is the fastest value here, and the engine refuses it.
  @Test func flagsTheEngineRefusesAreSkippedNotChosen() async throws {
    var surface = Surface(seed: 11, interaction: 0)
    surface.factors["flash_attention"] = [0: 1.3, 1: 1.0]
    surface.failing = { $0["flash_attention"] == 1 }
    let (result, _) = try await search(surface, budget: 1000, noise: 0)
    #expect(result.best["flash_attention"] == 0)
    #expect(result.trials.contains { $0.error != nil && $0.point["flash_attention"] == 1 })
    #expect(abs(result.bestSeconds - surface.optimum) < 1e-9, "the optimum among the flags that run")
  }

  @Test func aStartTheEngineRefusesEndsTheSearch() async throws {
    var surface = Surface(seed: 5, interaction: 0)
    surface.failing = { _ in true }
    await #expect(throws: TuneError.startFailed(String(describing: TuneError.badRequest("mlock refused")))) {
      _ = try await search(surface, budget: 100)
    }
  }

  /// One pass over the grid costs 1 + Σ(values − 1) = 6 measurements; a second pass confirms.
  @Test func convergingTakesFarFewerMeasurementsThanTheGrid() async throws {
    for seed in 1...10 {
      let (result, measured) = try await search(Surface(seed: UInt64(seed), interaction: 0), budget: 1000)
      #expect(result.stoppedBy == "converged")
      #expect(measured <= 11, "seed \(seed): \(measured) measurements")
    }
  }

  /// Measurements in the order they come: the start looks best the first time, the other value
  /// the second time.
  actor ScriptedRunner: TuneRunner {
    var figures: [Int: [Double]]
    var clock = 0.0
    init(_ figures: [Int: [Double]]) { self.figures = figures }
    func measure(_ point: TunePoint) async throws -> Double {
      clock += 1
      let value = point["flash_attention"] ?? 0
      return figures[value]!.removeFirst()
    }
    func elapsed() -> Double { clock }
  }

  @Test func aCloseRunnerUpIsMeasuredAgainAndTheBetterMeanWins() async throws {
    let runner = ScriptedRunner([0: [1.00, 1.20], 1: [1.05, 0.95]])
    let search = FlagSearch(dimensions: [TuneDimension(key: "flash_attention", values: [0, 1], start: 0)])
    let result = try await search.run(runner, budget: 100, elapsed: { await runner.elapsed() })
    #expect(result.best["flash_attention"] == 1)
    #expect(abs(result.bestSeconds - 1.0) < 1e-9)
    #expect(result.trials.count == 4)
    // Without the budget for two more measurements, the first figures decide.
    let short = ScriptedRunner([0: [1.00, 1.20], 1: [1.05, 0.95]])
    let quick = try await search.run(short, budget: 2.5, elapsed: { await short.elapsed() })
    #expect(quick.best["flash_attention"] == 0 && quick.trials.count == 2)
  }

  @Test func theEngineTreatsAnOversizedPhysicalBatchAsTheLogicalOne() {
    let point = TuneSpace.normalize(TunePoint(["batch_size": 128, "ubatch_size": 512, "threads": 2, "threads_batch": 2]))
    #expect(point["ubatch_size"] == 128 && point["threads_batch"] == 0)
    var llm = ProjectConfiguration().llm
    llm.threads = 4
    let tuned = TuneSpace.apply(TunePoint(["threads": 2, "flash_attention": 1, "ubatch_size": 128, "batch_size": 512]), to: llm)
    #expect(EngineArguments.llamaCppSpeedFlags(tuned) == ["-t", "2", "-b", "512", "-ub", "128", "-fa", "on", "-ngl", "0"])
  }
}

extension SplitMix64 {
  /// A double in [0, 1): the same surfaces on every machine.
  mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

extension Array where Element == Int {
  /// A hash that is the same in every process (Swift's `hashValue` is seeded per run).
  var hashValueStable: Int64 {
    reduce(Int64(1_469_598_103_934_665_603)) { ($0 ^ Int64($1)) &* 1_099_511_628_211 }
  }
}
