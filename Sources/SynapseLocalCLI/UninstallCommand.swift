import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct UninstallCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "uninstall",
    abstract: "Remove an installed runtime that no project's lock pins.",
    discussion: """
      ID is a runtime id (llama.cpp, vllm, embedding, postgresql); @VERSION picks one version (as `install --list` \
      shows it), else every installed version goes. A runtime pinned by a project's synapse-local.lock is kept unless \
      --force. A system PostgreSQL is only forgotten, never removed.

      Examples:
        synapse-local uninstall llama.cpp
        synapse-local uninstall embedding --force
      """)

  @Argument(help: ArgumentHelp("The runtime, with an optional version.", valueName: "ID[@VERSION]"))
  var target: String

  @Flag(name: .long, help: "Remove it even when a project's lock pins it.")
  var force = false

  @Flag(name: .long, help: "Print JSON: the removed runtimes (id, version, variant, path, size_bytes).")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      let removed = try RuntimeRemover(context: ctx).remove(target, force: force)
      if json { return try ctx.output.json(removed) }
      for runtime in removed {
        ctx.output.print(
          "removed \(runtime.id) \(runtime.version) (\(runtime.variant)): \(runtime.path), \(ByteCount.format(runtime.sizeBytes))")
      }
    }
  }
}
