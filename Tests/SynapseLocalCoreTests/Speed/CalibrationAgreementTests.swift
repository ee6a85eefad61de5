import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// A calibration is saved only when its memory probe and its engine run agree within 2×: the
/// run's generation rate times the bytes read per token is memory the machine demonstrably
/// delivered, and what is left of a token's time after the usual overhead bounds it from above.
/// The 2-core VM's broken probe (636.6 and 11280.8 GB/s beside a 105 tok/s SmolLM2 run) is
/// refused; the fixed probe's figures (10.2 GB/s under load, 27.7 GB/s idle, beside an
/// overhead-bound 92 tok/s run, and the CI VM's 25.7 GB/s beside 72.1 tok/s) are saved.
@Suite("calibration agreement")
struct CalibrationAgreementTests {
  static let hardware = Machine.cpu(memoryGiB: 24, cores: 2)
  static let smolLM2 = ModelCost(
    weightsBytes: 98_000_000, computeParameters: 106_000_000, layers: 30, kvBytesPerToken: 23_040, repackedKernels: false)

  static func calibration(_ gigabytesPerSecond: [Double]) -> Calibration {
    Calibration(
      takenAt: "2026-12-05T12:00:00Z", machine: MachineFingerprint(hardware),
      bandwidth: gigabytesPerSecond.enumerated().map { .init(threads: $0.offset + 1, bytesPerSecond: $0.element * 1e9) },
      engineRun: nil)
  }

  static func run(generation: Double) -> BenchReport {
    BenchReport(
      engine: .llamaCpp, model: "SmolLM2.gguf", servedName: "calibration", flags: [], throughEndpoint: false, contended: false,
      workload: BenchWorkload(promptTokens: 512, generatedTokens: 48, runs: 3, warmups: 1), samples: [],
      median: .init(promptTokensPerSecond: 300, generationTokensPerSecond: generation, timeToFirstTokenSeconds: 1.7),
      peakResidentBytes: nil, prediction: nil)
  }

  @Test func anImpossibleProbeIsRefusedWithTheFiguresAndWhatToDo() {
    #expect {
      try Calibrator.checkAgreement(
        Self.calibration([636.6, 11280.8]), report: Self.run(generation: 104.9), cost: Self.smolLM2, threads: 2, model: "SmolLM2.gguf")
    } throws: { error in
      let message = String(describing: error)
      return message.hasPrefix("calibration not saved") && message.contains("11280.8 GB/s") && message.contains("--calibration-model")
        && !message.contains("\n")
    }
  }

  @Test func aProbeThatAgreesWithItsRunIsKept() throws {
    try Calibrator.checkAgreement(
      Self.calibration([10.2, 8.5]), report: Self.run(generation: 104.9), cost: Self.smolLM2, threads: 2, model: "SmolLM2.gguf")
    // A tiny model's run is mostly overhead: the idle machine's 27.7 GB/s beside 92 tok/s agrees.
    try Calibrator.checkAgreement(
      Self.calibration([14.1, 27.7]), report: Self.run(generation: 91.7), cost: Self.smolLM2, threads: 2, model: "SmolLM2.gguf")
    // A slow CPU's tiny-model run is overhead-bound too: the CI VM's 25.7 GB/s beside 72.1 tok/s.
    try Calibrator.checkAgreement(
      Self.calibration([15.0, 25.7]), report: Self.run(generation: 72.1), cost: Self.smolLM2, threads: 2, model: "SmolLM2.gguf")
    // A run faster than the overhead alone allows says nothing against a fast probe.
    try Calibrator.checkAgreement(
      Self.calibration([40, 80]), report: Self.run(generation: 250), cost: Self.smolLM2, threads: 2, model: "SmolLM2.gguf")
  }

  /// A single thread's impossible figure is refused however fast the engine ran.
  @Test func aProbeFasterThanAnyCPUIsRefusedWhateverTheEngineDid() {
    #expect {
      try Calibrator.checkAgreement(
        Self.calibration([636.6, 30]), report: Self.run(generation: 250), cost: Self.smolLM2, threads: 2, model: "SmolLM2.gguf")
    } throws: { error in
      String(describing: error).contains("636.6 GB/s with 1 thread,")
    }
  }

  /// An engine that read faster than the probe says memory can: the probe was disturbed.
  @Test func aProbeBelowWhatTheEngineReadIsRefused() {
    #expect(throws: CalibrationError.self) {
      try Calibrator.checkAgreement(
        Self.calibration([2, 3]), report: Self.run(generation: 104.9), cost: Self.smolLM2, threads: 2, model: "SmolLM2.gguf")
    }
  }

  /// An engine slowed to a tenth by other work says nothing true about this machine either.
  @Test func anEngineRunDisturbedByOtherWorkIsRefused() {
    #expect(throws: CalibrationError.self) {
      try Calibrator.checkAgreement(
        Self.calibration([10.2, 8.5]), report: Self.run(generation: 3.6), cost: Self.smolLM2, threads: 2, model: "SmolLM2.gguf")
    }
  }
}
