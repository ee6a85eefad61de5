import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct ModelsRemoveCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm",
    abstract: "Remove a repository (or one revision) from the store, with the blobs nothing else uses.",
    discussion: """
      Examples:
        synapse-local models rm bartowski/Llama-3.2-3B-Instruct-GGUF
        synapse-local models rm sentence-transformers/all-MiniLM-L6-v2@main
        synapse-local models rm all-minilm-l6-v2 --json
      """)

  @Argument(help: ArgumentHelp("ORG/REPO[@REVISION] or a catalog id.", valueName: "REF"), transform: ModelReference.argument)
  var ref: ModelReference

  @OptionGroup var project: ProjectOption

  @Flag(name: .long, help: "Remove it even though the project's lock pins it.")
  var force = false

  @Flag(name: .long, help: "Print the result as JSON.")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let store = ModelStoreService(context: ctx)
      let folder = project.folder(ctx)
      let result = try store.remove(
        ref, engine: store.engine(project: folder), lockPath: ProjectLock.location(project: folder, explicit: nil, files: ctx.files),
        force: force)
      if json { return try ctx.output.json(result) }
      ctx.output.print(
        "removed \(result.removedSnapshots.count) snapshot(s) and \(result.removedBlobs) blob(s) of \(result.repository), freeing \(ByteCount.format(result.freedBytes))"
      )
    }
  }
}
