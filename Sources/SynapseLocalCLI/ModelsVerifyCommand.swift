import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct ModelsVerifyCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Re-hash stored files and compare each with its recorded digest; exit 1 on any mismatch.",
    discussion: """
      Examples:
        synapse-local models verify llama-3.2-3b-q4
        synapse-local models verify sentence-transformers/all-MiniLM-L6-v2
        synapse-local models verify --all
      """)

  @Argument(
    help: ArgumentHelp("A repository (ORG/REPO), a file in one, or a catalog id; omit with --all.", valueName: "REF"),
    transform: ModelReference.argument)
  var ref: ModelReference?

  @OptionGroup var project: ProjectOption

  @Flag(name: .long, help: "Verify every repository in the store.")
  var all = false

  @Flag(name: .long, help: "Print every check as JSON.")
  var json = false

  func validate() throws {
    if (ref == nil) == !all { throw ValidationError("give a REF or --all (not both)") }
  }

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    try await reportingErrors(ctx.output) {
      let store = ModelStoreService(context: ctx)
      let checks = try store.verify(ref, engine: store.engine(project: project.folder(ctx)))
      let bad = checks.filter { $0.status == .mismatch || $0.status == .missing }
      if json {
        try ctx.output.json(checks)
      } else {
        for check in checks where check.status != .ok {
          let detail = check.status == .mismatch ? "expected \(check.expected), found \(check.actual ?? "?")" : check.status.rawValue
          ctx.output.print("\(check.status.rawValue.uppercased())  \(check.repository)/\(check.path)@\(check.commit.prefix(12)): \(detail)")
        }
        ctx.output.print("\(checks.count - bad.count) of \(checks.count) file(s) verified")
      }
      if !bad.isEmpty {
        ctx.output.error(
          "\(bad.count) file(s) do not match their digest; remove them with `synapse-local models rm` and fetch or import them again")
        throw ExitCode(1)
      }
    }
  }
}
