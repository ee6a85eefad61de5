import ArgumentParser
import SynapseLocalCore
import SynapseLocalSystem

public struct SynapseLocalCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "synapse-local",
    abstract: "Run the Synapse RAG stack fully offline on this machine's own hardware.",
    discussion: """
      Exit status: 0 done; 1 failed (what went wrong is one line on stderr); 2 `doctor` found a \
      failing check; 64 the command line itself is wrong (an unknown option, a missing argument, \
      a bad value). Every error is one line starting with `synapse-local: error:`.

      Examples:
        synapse-local detect
        synapse-local init --project ~/synapse
        synapse-local up -d --project ~/synapse
        synapse-local status --json
      """,
    version: ToolVersion.current,
    subcommands: [
      DetectCommand.self, RecommendCommand.self, InspectCommand.self, CatalogCommand.self, PullCommand.self, ModelsCommand.self,
      InitCommand.self, InstallCommand.self, UninstallCommand.self, GenerateCommand.self, UpCommand.self, StatusCommand.self,
      LogsCommand.self, RestartCommand.self, SwapCommand.self, BundleCommand.self, BenchCommand.self, TuneCommand.self, DoctorCommand.self,
      ExportCommand.self, DownCommand.self, KeeperCommand.self,
    ])

  public init() {}
}
