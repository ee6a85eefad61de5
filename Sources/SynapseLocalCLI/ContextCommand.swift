import ArgumentParser
import SynapseLocalCore
import SynapseLocalSystem

/// A command whose work runs on the effects it is given, after swiftly's `SwiftlyCommand`:
/// argument-parser's `run()` only builds `Context.command()` and calls `run(_:)`; a test parses
/// the same arguments and calls `run(_:)` with fakes. Everything it prints goes through
/// `ctx.output`, and an error ends it as one line there (`reportingErrors`) and `ExitCode(1)`.
protocol ContextCommand: AsyncParsableCommand {
  func run(_ ctx: Context) async throws
}
