import SynapseLocalCore
import SynapseLocalSystem

extension Machine {
  /// `report` with a calibration taken on it: `gigabytesPerSecond` with every core (half that with
  /// one), an engine run giving `overheadMilliseconds` per token and `gigaflops` of prompt compute.
  public static func calibrated(
    _ report: HardwareReport, gigabytesPerSecond: Double, overheadMilliseconds: Double = 5, gigaflops: Double = 100
  ) -> HardwareReport {
    var report = report
    let cores = report.cpu.effectiveCores
    report.calibration = Calibration(
      takenAt: "2026-11-30T12:00:00Z", machine: MachineFingerprint(report),
      bandwidth: [
        .init(threads: 1, bytesPerSecond: gigabytesPerSecond * 1e9 / 2), .init(threads: cores, bytesPerSecond: gigabytesPerSecond * 1e9),
      ],
      engineRun: .init(
        engine: .llamaCpp, version: "test", model: "calibration.gguf", threads: cores, promptTokens: 512, promptTokensPerSecond: 500,
        generatedTokens: 48, generationTokensPerSecond: 100, perTokenOverheadSeconds: overheadMilliseconds / 1000,
        computeOperationsPerSecond: gigaflops * 1e9))
    return report
  }
}
