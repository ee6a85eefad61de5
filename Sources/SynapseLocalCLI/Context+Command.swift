import Foundation
import SynapseLocalCore
import SynapseLocalSystem

extension Context {
  /// The running command's context: the real effects, its output on the terminal.
  static func command() -> Context {
    .live(output: TerminalOutput(base: StandardStreams()))
  }

  /// This context with its output printed by the CLI's rules: nothing but results and errors
  /// with `quiet`, lines on stderr with `jsonOnStdout` (stdout kept for the JSON).
  func printing(quiet: Bool = false, jsonOnStdout: Bool = false) -> Context {
    var context = self
    context.output = TerminalOutput(base: output, quiet: quiet, jsonOnStdout: jsonOnStdout)
    return context
  }

  /// The catalog from the resources found for this command.
  func catalog() throws -> ModelCatalog { try resources.loadCatalog() }
}
