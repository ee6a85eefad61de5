import ArgumentParser

public struct SynapseLocalCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "synapse-local",
    abstract: "Run the Synapse RAG stack fully offline on this machine's own hardware.",
    version: "0.1.0",
    subcommands: [
      DetectCommand.self, RecommendCommand.self, InspectCommand.self, CatalogCommand.self, PullCommand.self, ModelsCommand.self,
      InitCommand.self, InstallCommand.self, UninstallCommand.self, GenerateCommand.self, UpCommand.self, StatusCommand.self,
      LogsCommand.self, RestartCommand.self, SwapCommand.self, BundleCommand.self, BenchCommand.self, TuneCommand.self, DoctorCommand.self,
      ExportCommand.self, DownCommand.self, KeeperCommand.self,
    ])

  public init() {}
}

/// The executable's only call: parse, run, print, exit.
public enum SynapseLocalEntryPoint {
  public static func run() async {
    await SynapseLocalCommand.main()
  }
}
