import ArgumentParser
import Foundation
import SynapseLocalCore

struct DownCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "down",
    abstract: "Stop the running stack: services in reverse order, SIGTERM then SIGKILL, nothing left behind.",
    discussion: """
      Examples:
        synapse-local down
        synapse-local down --project ~/synapse
      """)

  @OptionGroup var project: ProjectOption

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      let client = try ControlClient(project: project.folder(context), context: context)
      try await client.stopStack(time: context.time)
      Output.line("stopped \(client.project)")
    }
  }
}
