import Foundation
import SynapseLocalSystem

/// `recommend` as a service: the machine (this one with its calibration and measured speeds, or a
/// hardware file with the calibration it carries), the user's choices, and the recommendation.
public struct RecommendationRequest: Sendable {
  /// A `detect --json` file from another machine; nil: this one.
  public var hardwareFile: String?
  public var preference: Preference = .balanced
  public var embedding: String?
  /// `--llm`: a catalog id or a local GGUF path, planned and predicted alone.
  public var llm: String?
  public var context: Int?
  public var minimumSpeed = Recommender.defaultMinimumSpeed

  public init(hardwareFile: String? = nil) {
    self.hardwareFile = hardwareFile
  }

  public func recommend(_ context: Context, catalog: ModelCatalog) async throws -> Recommendation {
    if let requested = self.context, !(256...1_048_576).contains(requested) {
      throw RecommendationError.badRequest("--context must be between 256 and 1048576 tokens")
    }
    guard minimumSpeed >= 0, minimumSpeed.isFinite else {
      throw RecommendationError.badRequest("--min-speed must be a number of tokens per second, 0 or more")
    }
    let (hardware, measurements) = try await Self.machine(context, hardwareFile: hardwareFile)
    var catalog = catalog
    var llmID: String?
    if let llm {
      switch try ModelReference(parsing: llm) {
      case .catalog(let id, _):
        _ = try catalog.model(id: id, role: .llm)
        llmID = id
      case .local(let path):
        let absolute = AbsolutePath.resolve(path, relativeTo: context.workingDirectory, environment: context.environment)
        let entry = try LocalChatModel.entry(path: absolute, files: context.files)
        catalog.models.append(entry)
        llmID = entry.id
      case .hub:
        throw RecommendationError.badRequest(
          "--llm takes a catalog id (synapse-local catalog) or a local .gguf path; for a Hub file, pull it and give its path")
      }
    }
    var recommendation = try Recommender(
      catalog: catalog, hardware: hardware, preference: preference, embeddingOverride: embedding, llmOverride: llmID,
      contextOverride: self.context, minimumSpeed: minimumSpeed, measurements: measurements
    ).recommend()
    if recommendation.engine == .llamaCpp {
      recommendation.llamaCppBuild = LlamaCppVariantChoice.forMachine(context, hardware: hardware, thisMachine: hardwareFile == nil)
    }
    return recommendation
  }

  /// This machine with its cached calibration and measured speeds, or the file's machine with the
  /// calibration it carries (measurements stay with the machine they were taken on).
  public static func machine(_ context: Context, hardwareFile: String?) async throws -> (HardwareReport, [SpeedMeasurement]) {
    if let hardwareFile {
      let path = HubCacheLocation.expandTilde(hardwareFile, context.environment)
      return (try HardwareReport.load(path: context.absolute(path), files: context.files), [])
    }
    var report = try await HardwareDetector.detect(context)
    let records = SpeedRecords(context: context)
    let machine = MachineFingerprint(report)
    report.calibration = records.calibration(for: machine)
    return (report, records.measurements(for: machine))
  }
}
