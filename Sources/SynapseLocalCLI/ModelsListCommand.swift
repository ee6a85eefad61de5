import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct ModelsListCommand: ContextCommand {
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

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let repositories = try ModelStoreService(context: ctx).list(lockPath: projectOptions.lockPath(ctx))
      if json { return try ctx.output.json(repositories) }
      if repositories.isEmpty { return ctx.output.print("The model store is empty.") }
      for repository in repositories {
        ctx.output.print("\(repository.repository)  \(ByteCount.format(repository.sizeBytes))")
        for snapshot in repository.snapshots {
          let refs = snapshot.refs.isEmpty ? "" : " (\(snapshot.refs.joined(separator: ", ")))"
          ctx.output.print("  \(snapshot.commit)\(refs)")
          for file in snapshot.files {
            let pinned = file.lockedBy.isEmpty ? "" : "  (pinned by \(file.lockedBy.joined(separator: ", ")))"
            ctx.output.print("    \(file.path)  \(file.sizeBytes.map(ByteCount.format) ?? "missing blob")\(pinned)")
          }
        }
      }
    }
  }
}
