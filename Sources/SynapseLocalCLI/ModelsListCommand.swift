import ArgumentParser
import Foundation
import SynapseLocalCore

struct ModelsListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List the repositories in the store with their snapshots, files and sizes.",
    discussion: """
      Examples:
        synapse-local models list
        synapse-local models list --json
      """)

  @Flag(name: .long, help: "Print JSON: repository, folder, size_bytes, snapshots (commit, refs, files with locked_by).")
  var json = false

  @OptionGroup var projectOptions: ProjectOptions

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let repositories = try ModelStoreService(context: context).list(lockPath: projectOptions.lockPath(context))
      if json { return try Output.json(repositories) }
      if repositories.isEmpty { return Output.line("The model store is empty.") }
      for repository in repositories {
        Output.line("\(repository.repository)  \(ByteCount.format(repository.sizeBytes))")
        for snapshot in repository.snapshots {
          let refs = snapshot.refs.isEmpty ? "" : " (\(snapshot.refs.joined(separator: ", ")))"
          Output.line("  \(snapshot.commit)\(refs)")
          for file in snapshot.files {
            let pinned = file.lockedBy.isEmpty ? "" : "  (pinned by \(file.lockedBy.joined(separator: ", ")))"
            Output.line("    \(file.path)  \(file.sizeBytes.map(ByteCount.format) ?? "missing blob")\(pinned)")
          }
        }
      }
    }
  }
}
