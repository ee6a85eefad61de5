import Foundation
import SynapseLocalSystem

extension StackAssembly {
  /// The chat engine's expected generation speed on this machine, for the watchdog: what `bench`
  /// recorded here for its model and flags, else the speed model's prediction for the plan. Asked
  /// once per run of the engine (a swap's model has its own), so the hardware is read then.
  public func expectedSpeed(_ spec: ServiceSpec) async -> ExpectedSpeed? {
    guard spec.name == .llm, let (hardware, measurements) = try? await RecommendationRequest.machine(context, hardwareFile: nil) else {
      return nil
    }
    return ExpectedSpeed.of(
      path: spec.modelPath, ref: configuration.llm.model, llm: configuration.llm, engine: configuration.engine, hardware: hardware,
      measurements: measurements, catalog: catalog, files: context.files)
  }
}
