import Foundation
import SynapseLocalSystem

extension StackAssembly {
  /// The speed a new chat model will have with the project's flags: measured on this machine when
  /// it was, else predicted; nil when the model's shape is unknown.
  func predictedSpeed(
    ref: ModelReference, path: String?, configuration: ProjectConfiguration, hardware: HardwareReport, measurements: [SpeedMeasurement]
  ) -> SpeedEstimate? {
    let engine = configuration.engine
    guard let cost = ModelCost.of(ref: ref, path: path, files: context.files, engine: engine, catalog: catalog) else { return nil }
    let served = path.map { ($0 as NSString).lastPathComponent }
    return SpeedModel(hardware: hardware, measurements: measurements).predict(
      cost, engine: engine, llm: configuration.llm, served: served)
  }
}
