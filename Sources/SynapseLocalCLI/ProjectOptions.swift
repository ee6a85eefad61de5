import ArgumentParser
import Foundation
import SynapseLocalCore

/// `--project DIR` and `--lock FILE`, shared by the commands that read or write the lock file.
struct ProjectOptions: ParsableArguments {
  @Option(name: .long, help: "The project folder: its synapse-local.lock pins models (a folder without synapse-local.yaml keeps none).")
  var project = "."

  @Option(name: .long, help: "Use this lock file instead of the project's.")
  var lock: String?

  /// The lock file to use, or nil outside a project.
  var lockPath: String? {
    ProjectLock.location(project: HubCacheLocation.expandTilde(project, ProcessInfo.processInfo.environment), explicit: lock)
  }
}
