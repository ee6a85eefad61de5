import ArgumentParser
import Foundation
import SynapseLocalCore

struct ModelsRemoveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm",
    abstract: "Remove a repository (or one revision) from the store, with the blobs nothing else uses.")

  @Argument(help: "ORG/REPO[@REVISION] or a catalog id.")
  var ref: String

  @Flag(name: .long, help: "Print the result as JSON.")
  var json = false

  func run() async throws {
    try await reportingErrors {
      let result = try ModelStoreService(context: Context.command()).remove(ref)
      if json { return try Output.json(result) }
      Output.line(
        "removed \(result.removedSnapshots.count) snapshot(s) and \(result.removedBlobs) blob(s) of \(result.repository), freeing \(ByteCount.format(result.freedBytes))"
      )
    }
  }
}
