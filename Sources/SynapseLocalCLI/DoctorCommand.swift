import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct DoctorCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Find what is wrong with the project and its stack, and say how to fix it.",
    discussion: """
      Runs every check that applies, running stack or not, and prints one finding per check: ok, \
      warning, failure, or skipped (with why: a check that needs the running stack, or --deep). \
      Each warning and failure comes with its fix, as a command or an edit. docs/doctor.md lists \
      the checks; their ids are stable, for scripts.

      Exit status: 0 when nothing failed, 2 when a check failed, 1 for bad input.

      --deep adds the slow checks: every locked model file hashed against the lock, and a real load \
      of the chat model by the engine. --fix applies only safe, local fixes (regenerate generated \
      files not edited by hand, remove stale pid files, make secrets private, fetch a damaged model \
      file again at the commit the lock pins, online only), says what it did, and checks again; it \
      never overwrites a file edited by hand.

      Examples:
        synapse-local doctor
        synapse-local doctor --deep --json
        synapse-local doctor --fix
      """)

  @OptionGroup var project: ProjectOption

  @Flag(name: .long, help: "Also run the slow checks: full digests, a real load of the chat model.")
  var deep = false

  @Flag(name: .long, help: "Apply the safe, local fixes, then check again.")
  var fix = false

  @Flag(name: .long, help: "Print the findings as JSON: findings[] with check, status, message, fix.")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    var status: Int32 = 0
    try await reportingErrors(ctx.output) {
      var request = Doctor.Request(project: project.folder(ctx))
      request.deep = deep
      request.fix = fix
      let doctor = Doctor(context: ctx, catalog: try ctx.catalog())
      let order = request
      let report = try await cancellingOnSignals { try await doctor.run(order) }
      if json {
        try ctx.output.json(report)
      } else {
        ctx.output.print(report.text)
      }
      status = report.exitStatus
    }
    if status != 0 { throw ExitCode(status) }
  }
}
