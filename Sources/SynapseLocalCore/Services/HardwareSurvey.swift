import SynapseLocalSystem

/// `detect` as a service: the hardware, with this machine's cached calibration attached, or a new
/// calibration taken and cached (`--calibrate`).
public struct HardwareSurvey: Sendable {
  public var context: Context
  public var progress: @Sendable (String) -> Void = { _ in }

  public init(context: Context) {
    self.context = context
  }

  public struct Outcome: Sendable {
    public var report: HardwareReport
    /// Set when a calibration ran without its engine part, saying why.
    public var note: String?
  }

  public func run(calibrate: Bool, calibrationModel: String? = nil, catalog: @autoclosure () throws -> ModelCatalog) async throws
    -> Outcome
  {
    var report = try await HardwareDetector.detect(context)
    let records = SpeedRecords(context: context)
    guard calibrate else {
      report.calibration = records.calibration(for: MachineFingerprint(report))
      return Outcome(report: report, note: nil)
    }
    var calibrator = Calibrator(context: context, catalog: try catalog())
    calibrator.progress = progress
    let outcome = try await calibrator.calibrate(report, model: calibrationModel)
    try await records.save(outcome.calibration)
    report.calibration = outcome.calibration
    return Outcome(report: report, note: outcome.engineSkipped)
  }
}
