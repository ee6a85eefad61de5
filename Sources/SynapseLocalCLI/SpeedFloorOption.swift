import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// `--min-speed`, as `recommend` and `init` take it.
struct SpeedFloorOption: ParsableArguments {
  @Option(
    name: .customLong("min-speed"),
    help: ArgumentHelp("The slowest generation to accept, in tokens per second (default 10, the guide's CPU figure).", valueName: "TOKS"))
  var minSpeed: Double = Recommender.defaultMinimumSpeed

  func validate() throws {
    guard minSpeed >= 0, minSpeed.isFinite else { throw ValidationError("--min-speed must be 0 or more tokens per second") }
  }
}
