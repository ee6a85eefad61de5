import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// `--project DIR` and `--lock FILE`, for the commands that read or write the lock file.
struct ProjectOptions: ParsableArguments {
  @OptionGroup var project: ProjectOption

  @Option(name: .long, help: ArgumentHelp("Use this lock file instead of the project's.", valueName: "FILE"))
  var lock: String?

  /// The lock file to use, or nil outside a project (a folder without synapse-local.yaml keeps none).
  func lockPath(_ context: Context) -> String? {
    ProjectLock.location(project: project.folder(context), explicit: lock.map { context.absolute($0) }, files: context.files)
  }
}
