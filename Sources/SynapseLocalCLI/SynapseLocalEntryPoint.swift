import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// The executable's only call: parse, run, print, exit. Whatever fails ends here as one line on
/// stderr with the one prefix, and one code of the table in README (0, 1, 2 from doctor, 64).
public enum SynapseLocalEntryPoint {
  public static func run() async {
    let arguments = Array(CommandLine.arguments.dropFirst())
    do {
      var command = try await SynapseLocalCommand.asyncParseAsRoot(arguments)
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      exit(report(error, arguments: arguments, output: StandardStreams()))
    }
  }

  /// Prints what ends the run (help and version on stdout, an error on stderr) and returns its code.
  static func report(_ error: any Error, arguments: [String], output: any OutputSink, width: Int = HelpText.terminalWidth) -> Int32 {
    let code = SynapseLocalCommand.exitCode(for: error)
    if code == .success {
      let text = SynapseLocalCommand.fullMessage(for: error, columns: width)
      let wide = SynapseLocalCommand.fullMessage(for: error, columns: HelpText.unwrapped)
      output.print(HelpText.keepingIndentedLinesWhole(text, unwrapped: wide, width: width))
      return code.rawValue
    }
    // An ExitCode thrown after its own message (reportingErrors, doctor) has none here.
    let message = SynapseLocalCommand.message(for: error)
      .split(separator: "\n", omittingEmptySubsequences: true).joined(separator: "; ")
    guard !message.isEmpty else { return code.rawValue }
    let hint = code == .validationFailure ? " (see `\(commandPath(arguments).joined(separator: " ")) --help`)" : ""
    output.stderr("synapse-local: error: \(message)\(hint)\n")
    return code.rawValue
  }

  /// The command and subcommands the arguments name, for the help hint: `synapse-local models rm`.
  static func commandPath(_ arguments: [String]) -> [String] {
    var command: any ParsableCommand.Type = SynapseLocalCommand.self
    var names = [SynapseLocalCommand._commandName]
    for argument in arguments {
      guard
        let next = command.configuration.subcommands.first(where: {
          $0._commandName == argument || $0.configuration.aliases.contains(argument)
        })
      else { break }
      command = next
      names.append(next._commandName)
    }
    return names
  }
}
