import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The recommendation with the speed floor, on fixture machines with calibrations. Expected
/// choices are worked out from docs/recommendation.md's speed model: one generated token costs the
/// calibrated overhead plus the GGUF's bytes over the bandwidth (8B Q5 5.73 GB, 8B Q4 4.92, Qwen 7B
/// 4.68, 3B Q5 2.32, 3B Q4 2.02).
@Suite("Recommendation for speed")
struct SpeedRecommendationTests {
  // Room for Llama 3.1 8B, not for Mixtral.
  static let memory = 24.0

  func recommend(_ hardware: HardwareReport, minimumSpeed: Double = Recommender.defaultMinimumSpeed, context: Int? = nil) throws
    -> Recommendation
  {
    try Recommender(catalog: Fixtures.catalog(), hardware: hardware, contextOverride: context, minimumSpeed: minimumSpeed).recommend()
  }

  /// 30 GB/s: 3B Q5 generates 1 / (5 ms + 2.32 GB / 30 GB/s) ≈ 12 tok/s, 8B Q5 ≈ 5; 120 GB/s: 8B Q5 ≈ 19.
  @Test func aSlowMachineGetsASmallerModelThanAFastOneWithTheSameMemory() throws {
    let slow = try recommend(Machine.calibrated(Machine.cpu(memoryGiB: Self.memory), gigabytesPerSecond: 30))
    let fast = try recommend(Machine.calibrated(Machine.cpu(memoryGiB: Self.memory, cores: 16), gigabytesPerSecond: 120))
    #expect(slow.llm.id == "llama-3.2-3b-q5")
    #expect(fast.llm.id == "llama-3.1-8b-q5")
    #expect(slow.llm.speed.generationTokensPerSecond >= 10 && slow.llm.speed.generationTokensPerSecond < 15)
    #expect(fast.llm.speed.generationTokensPerSecond >= 15)
    #expect(slow.llm.speed.source == .calibrated && slow.reachesMinimumSpeed)
    #expect(slow.reasons.contains { $0.contains("the best-rated model that reaches the 10.0 tok/s floor") && $0.contains("Llama 3.1 8B") })
    let skipped = try #require(slow.alternatives.first { $0.id == "llama-3.1-8b-q5" })
    #expect(skipped.note.contains("under the 10.0 tok/s floor"))
    #expect((skipped.speed?.generationTokensPerSecond ?? 99) < 10)
  }

  /// 10 GB/s: even 3B Q4 gives 1 / (5 ms + 202 ms) ≈ 4.8 tok/s.
  @Test func whenNothingReachesTheFloorTheFastestThatFitsIsChosenAndTheReasonsSaySo() throws {
    let recommendation = try recommend(Machine.calibrated(Machine.cpu(memoryGiB: Self.memory), gigabytesPerSecond: 10))
    #expect(recommendation.llm.id == "llama-3.2-3b-q4")
    #expect(!recommendation.reachesMinimumSpeed)
    #expect(recommendation.reasons.contains { $0.contains("no model that fits reaches the 10.0 tok/s floor (--min-speed)") })
    // It does not claim more than it checked: the demo models fit and are faster, and left out on purpose.
    #expect(recommendation.reasons.contains { $0.contains("demo models are faster and are left out") && $0.contains("--profile demo") })
    // A lower floor lets the best-rated model back in.
    #expect(
      try recommend(Machine.calibrated(Machine.cpu(memoryGiB: Self.memory), gigabytesPerSecond: 10), minimumSpeed: 1).llm.id
        == "llama-3.1-8b-q5")
  }

  @Test func theDefaultContextIsTheGuides4096AndALongerOneSaysWhatItCosts() throws {
    let hardware = Machine.calibrated(Machine.cpu(memoryGiB: 64, cores: 16), gigabytesPerSecond: 120)
    #expect(try recommend(hardware).llamaServer?.ctxSize == 4096)
    let long = try recommend(hardware, context: 16384)
    #expect(long.llamaServer?.ctxSize == 16384)
    // 8B: 128 KiB of KV cache per token, so 12288 more tokens are 1.5 GiB.
    #expect(
      long.reasons.contains { $0.hasPrefix("-c 16384: asked for") && $0.contains("1.5 GiB more KV cache") && $0.contains("s to read") })
  }

  @Test func measuredFiguresWinOverPredictions() throws {
    let hardware = Machine.calibrated(Machine.cpu(memoryGiB: Self.memory), gigabytesPerSecond: 30)
    let measured = SpeedMeasurement(
      machine: MachineFingerprint(hardware), engine: .llamaCpp, model: "Meta-Llama-3.1-8B-Instruct-Q5_K_M.gguf", flags: ["-t", "8"],
      promptTokensPerSecond: 90, generationTokensPerSecond: 12.5, measuredAt: "2026-11-30T12:00:00Z", by: "tune")
    let catalog = try Fixtures.catalog()
    let file = try #require(try catalog.model(id: "llama-3.1-8b-q5", role: .llm).gguf?.file)
    var figures = measured
    figures.model = file
    let recommendation = try Recommender(catalog: catalog, hardware: hardware, measurements: [figures]).recommend()
    #expect(recommendation.llm.id == "llama-3.1-8b-q5")
    #expect(recommendation.llm.speed == figures.estimate)
    #expect(recommendation.reasons.contains { $0.contains("measured on this machine") })
  }

  @Test func aCalibrationFromAnotherMachineIsNotUsedAndTheEstimateSaysSo() throws {
    var hardware = Machine.calibrated(Machine.cpu(memoryGiB: Self.memory, cores: 4), gigabytesPerSecond: 120)
    hardware.cpu = Machine.cpu(memoryGiB: Self.memory, cores: 8).cpu
    let recommendation = try recommend(hardware)
    #expect(recommendation.llm.speed.source == .estimated)
    #expect(recommendation.reasons.contains { $0.contains("documented x86_64 estimate") && $0.contains("detect --calibrate") })
  }

  @Test func theJSONCarriesTheSpeedInsideTheEstimate() throws {
    let recommendation = try recommend(Machine.calibrated(Machine.cpu(memoryGiB: Self.memory), gigabytesPerSecond: 30))
    let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(recommendation)) as? [String: Any])
    let estimate = try #require((object["llm"] as? [String: Any])?["estimate"] as? [String: Any])
    #expect((estimate["generation_tokens_per_second"] as? Double ?? 0) > 10)
    #expect((estimate["prompt_tokens_per_second"] as? Double ?? 0) > 0)
    #expect(estimate["total_bytes"] != nil && estimate["speed_source"] as? String == "calibrated")
    #expect(object["min_speed"] as? Double == 10 && object["reaches_min_speed"] as? Bool == true)
  }

  /// The calibration's engine run, turned into the model's figures, predicts that run back.
  @Test func aCalibrationPredictsItsOwnRun() throws {
    let hardware = Machine.cpu(memoryGiB: 16, cores: 2)
    let bandwidth = Calibration(
      takenAt: "2026-11-30T12:00:00Z", machine: MachineFingerprint(hardware), bandwidth: [.init(threads: 2, bytesPerSecond: 30e9)],
      engineRun: nil)
    let cost = ModelCost(
      weightsBytes: 98_000_000, computeParameters: 106_000_000, layers: 30, kvBytesPerToken: 23_040, repackedKernels: false)
    let sample = BenchSample(
      promptTokens: 512, generatedTokens: 48, promptTokensPerSecond: 330, generationTokensPerSecond: 100, timeToFirstTokenSeconds: 1.6,
      totalSeconds: 2.1)
    let report = BenchReport(
      engine: .llamaCpp, model: "SmolLM2.gguf", servedName: "calibration", flags: ["-t", "2"], throughEndpoint: false, contended: false,
      workload: BenchWorkload(promptTokens: 512, generatedTokens: 48, runs: 1, warmups: 1), samples: [sample],
      median: .init(promptTokensPerSecond: 330, generationTokensPerSecond: 100, timeToFirstTokenSeconds: 1.6), peakResidentBytes: nil,
      prediction: nil)
    var calibrated = hardware
    calibrated.calibration = bandwidth
    calibrated.calibration?.engineRun = Calibrator.engineRun(report, cost: cost, threads: 2, version: "test", calibration: bandwidth)
    let predicted = SpeedModel(hardware: calibrated).llamaCpp(cost, threads: 2, gpuLayers: 0, context: 4096)
    #expect(abs(predicted.generationTokensPerSecond - 100) < 1)
    #expect(abs(predicted.promptTokensPerSecond - 330) < 1)
    #expect(predicted.source == .calibrated)
  }
}
