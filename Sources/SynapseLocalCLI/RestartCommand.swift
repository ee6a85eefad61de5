import ArgumentParser
import Foundation
import SynapseLocalCore

struct RestartCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "restart", abstract: "Restart one service of the running stack (a failed one too).",
    discussion: """
      Examples:
        synapse-local restart llm
        synapse-local restart backend --project ~/synapse
      """)

  @OptionGroup var project: ProjectOption

  @Argument(help: ArgumentHelp("db, llm, embedding, backend or frontend.", valueName: "SERVICE"))
  var service: ServiceName

  func run() async throws {
    try await reportingErrors {
      let context = Context.command()
      _ = try ControlClient(project: project.folder(context), context: context).send(.restart(service: service))
      Output.line("restarting \(service.rawValue)")
    }
  }
}
