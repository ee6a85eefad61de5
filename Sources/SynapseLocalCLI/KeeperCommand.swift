import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

/// `synapse-local keeper`: not for people. The supervisor runs each service through it, so the
/// service's whole process group ends with the supervisor, however the supervisor ends.
struct KeeperCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "keeper",
    abstract: "Run one service in its own process group, ending the group with the supervisor (internal).",
    shouldDisplay: false)

  @Option(name: .customLong("pid-file"), help: "Write the service's pid here.")
  var pidFile: String?

  @Option(name: .customLong("stop-signal"), help: "Signal number that stops the service (default SIGTERM).")
  var stopSignal: Int32 = SIGTERM

  @Option(name: .long, help: "Seconds between the stop signal and SIGKILL.")
  var grace: Double = 10

  @Option(name: .long, help: "The supervisor's pid.")
  var parent: Int32?

  @Argument(parsing: .captureForPassthrough, help: "-- EXECUTABLE [ARGUMENT...]")
  var command: [String] = []

  func run() throws {
    var command = self.command
    if command.first == "--" { command.removeFirst() }
    guard let executable = command.first else { throw ValidationError("give the service's command after --") }
    let keeper = ProcessKeeper(
      executable: executable, arguments: Array(command.dropFirst()), pidFile: pidFile, stopSignal: stopSignal, graceSeconds: grace,
      expectedParent: parent)
    throw ExitCode(keeper.run())
  }
}
