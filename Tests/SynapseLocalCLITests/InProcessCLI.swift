import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting

@testable import SynapseLocalCLI

/// A command line run in this process, as the binary runs it: the root command parses it, the
/// command's `run(_:)` runs on the context given (its output recorded instead of printed), and
/// what ends it is reported as the binary reports it (an error in one line, help at 80 columns),
/// with the exit status the binary would have.
enum InProcessCLI {
  static func run(_ arguments: [String], context: Context) async -> CLIResult {
    let recording = RecordingOutput()
    var context = context
    context.output = TerminalOutput(base: recording)
    do {
      let command = try SynapseLocalCommand.parseAsRoot(arguments)
      if let command = command as? any ContextCommand {
        try await command.run(context)
      } else if var command = command as? any AsyncParsableCommand {
        // A group named without its subcommand: its help.
        try await command.run()
      } else {
        var command = command
        try command.run()
      }
      return CLIResult(status: 0, stdout: recording.standardOutput, stderr: recording.standardError)
    } catch {
      let status = SynapseLocalEntryPoint.report(error, arguments: arguments, output: recording, width: 80)
      return CLIResult(status: status, stdout: recording.standardOutput, stderr: recording.standardError)
    }
  }

  /// The context a command run by a test gets: the test's environment over this process's (as
  /// the binary would inherit it), the model store in a temporary folder unless the test names
  /// one, `/proc` and `/sys` of a fixture machine with only its own programs on PATH, and fakes
  /// that fail the test for what a command line test must never do: reach the network (a
  /// `ScriptedHTTP` with no answers) or start a long-lived child (a `ScriptedLauncher`). Files
  /// are the real ones, in the temporary folders the test makes.
  static func context(machine: String? = nil, environment: [String: String] = [:]) -> Context {
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    // Never touch the user's real model store.
    if env["HF_HUB_CACHE"] == nil { env["HF_HUB_CACHE"] = NSTemporaryDirectory() + "synapse-local-cli-test-hub" }
    var system: any FileSystem = RootedFileSystem()
    if let machine {
      env["SYNAPSE_LOCAL_SYSROOT"] = Fixtures.machine(machine)
      env["PATH"] = Fixtures.machine(machine) + "/bin:/usr/bin:/bin"
      system = RootedFileSystem(root: Fixtures.machine(machine))
    }
    return Context(
      system: system, environment: env, processes: SystemProcessRunner(), files: RootedFileSystem(), time: SystemTime(),
      launcher: ScriptedLauncher(), ports: LoopbackPorts(table: ProcessTable(system: RootedFileSystem())), http: ScriptedHTTP(),
      output: RecordingOutput(),
      workingDirectory: FileManager.default.currentDirectoryPath)
  }
}
