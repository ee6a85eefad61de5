import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct BundleImportCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Verify a bundle, then install its models, project and runtimes with no network.",
    discussion: """
      The bundle must be shown to be the one exported: --sha256 HEX, the file's digest that \
      bundle export printed (hashed while the file is read), or --trust PUBKEY, for a bundle \
      signed with bundle export --sign (checked before any member is used). With neither the \
      import is refused; --insecure-skip-verify accepts the risk. Every member is checked against \
      the manifest's sha256 while it streams; nothing is placed before the whole bundle is \
      verified, and a failure leaves the store, the runtimes and the project as they were. Model \
      files already in the store (same digest) are not written again. A different \
      synapse-local.yaml or synapse-local.lock in the project is replaced only with --force. The \
      Synapse checkout goes where the bundled project file's paths.synapse says, inside the \
      project: into an empty folder, or over a checkout of the same app (identical files are \
      not written again); a file that differs is replaced only with --force. npm's packages go \
      to the state folder's npm-cache/, where `up` installs them from with no network.

      Examples:
        synapse-local bundle import synapse.tar.zst --sha256 HEX --project ~/synapse
        synapse-local bundle import s.tar.zst --trust bundle-signing.pub --project ~/s
        synapse-local up -d --project ~/synapse
      """)

  @Argument(help: ArgumentHelp("The bundle (from bundle export).", valueName: "FILE"))
  var file: String

  @OptionGroup var project: ProjectOption

  @OptionGroup var trust: BundleTrustOptions

  @Flag(
    name: .customLong("insecure-skip-verify"),
    help: "Import without --sha256 or --trust: anyone who could alter the bundle chooses what runs.")
  var insecureSkipVerify = false

  @Flag(name: .long, help: "Replace an existing synapse-local.yaml, synapse-local.lock or checkout file that differs from the bundle's.")
  var force = false

  @Flag(name: .long, help: "Print the result as JSON.")
  var json = false

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      // Ctrl-C: the import stops between blocks and takes back what it had placed.
      let importer = BundleImporter(context: ctx)
      let options = BundleImporter.Options(
        project: project.folder(ctx), force: force, trust: trust.trust(ctx, insecureSkipVerify: insecureSkipVerify))
      if insecureSkipVerify && !options.trust.checksAuthenticity {
        ctx.output.warning(
          "--insecure-skip-verify: nothing proves this is the bundle that was exported; whoever could alter it chooses what is installed and run"
        )
      }
      let path = ctx.absolute(file)
      let work = Task { try await importer.importBundle(path, options: options) }
      let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { work.cancel() }
      defer { signals.cancel() }
      let result: BundleImporter.Result
      do {
        result = try await work.value
      } catch is CancellationError {
        throw BundleError.interrupted(path: path)
      }
      for note in result.notes { ctx.output.warning(note) }
      if json { return try ctx.output.json(result) }
      ctx.output.print(
        "imported \(result.bundle) into \(result.project): \(result.modelFiles) model file(s) (\(result.modelFilesPresent) already in the store), runtimes: \(result.runtimes.isEmpty ? "none" : result.runtimes.joined(separator: ", "))"
      )
      if let checkout = result.checkout {
        ctx.output.print(
          "checkout: \(checkout), \(result.appFiles) files (\(result.appFilesPresent) already there), \(result.npmPackages) npm packages")
      }
      ctx.output.print("authenticated by \(result.authenticatedBy)")
      ctx.output.print("Next: synapse-local up -d --project \(result.project)")
    }
  }
}
