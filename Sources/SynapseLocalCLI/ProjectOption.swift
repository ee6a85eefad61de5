import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// `--project DIR`, the same on every command: `~` expanded, relative to where the command runs,
/// made absolute once, here.
struct ProjectOption: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("The project folder, with synapse-local.yaml (default: the current folder).", valueName: "DIR"))
  var project = "."

  func folder(_ context: Context) -> String { context.absolute(project) }
}
