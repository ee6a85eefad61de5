import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct BundleExportCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the project, its Synapse checkout, its locked models, its runtimes and this tool into one verified tar.zst.",
    discussion: """
      The Synapse checkout travels too: git's tracked files where it is a git work tree (local \
      changes carried as they are on disk, and said so), else the app folders without \
      node_modules, .git, build output or .env files; with, for an npm lockfile, exactly the \
      packages it pins from npm's cache, so that `up` on the target installs with no network. \
      --no-app leaves them out.

      The wheels (of the project's Python runtimes: PostgreSQL, and sentence-transformers when \
      embedding.engine says so) come from the wheelhouse they were installed from when there is \
      one, else from PyPI; the llama.cpp archive from the runtime folder's downloads/ or the file it \
      was installed from. --gpu carries another build for a target whose GPU differs from this \
      machine's (downloaded from the release, checked against engines.yaml, when it is not here). No secret is carried: the database password is generated anew on the target.

      It lists what the bundle carries, largest first, with sizes (--json: `contents`), and warns \
      about a model the lock pins that the project no longer uses.

      It prints the bundle's SHA-256 and the import command that checks it: carry that line \
      apart from the bundle (a ticket, a chat message), so that whoever could alter the one cannot \
      alter the other. For a team, --sign KEY adds an Ed25519 signature of the manifest (which \
      names every member's digest); hosts import it with --trust and the public key.

      Examples:
        synapse-local bundle export synapse.tar.zst --project ~/synapse
        synapse-local bundle export s.tar.zst --sign ~/keys/bundle-signing.key
        synapse-local bundle export arm.tar.zst --platform linux-aarch64 --tool ./arm/synapse-local
        synapse-local bundle export gpu.tar.zst --gpu cuda-12.8   # for a host with an NVIDIA GPU, from a laptop
      """)

  @Argument(help: ArgumentHelp("The bundle to write (e.g. synapse.tar.zst).", valueName: "FILE"))
  var file: String

  @OptionGroup var project: ProjectOption

  @Option(name: .long, help: ArgumentHelp("The target: linux-x86_64 or linux-aarch64 (default: this machine's).", valueName: "PLATFORM"))
  var platform: Platform?

  @Option(name: .long, help: ArgumentHelp("The target's Python, MAJOR.MINOR (default: this machine's python3).", valueName: "X.Y"))
  var python: String?

  @Option(name: .long, help: ArgumentHelp("The synapse-local binary to carry (needed for another platform).", valueName: "PATH"))
  var tool: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The target's GPU: the llama.cpp build to carry, cuda-12.8, cuda-13.4, rocm, vulkan or cpu (metal on macos-arm64); default: the one the lock pins.",
      valueName: "BUILD"))
  var gpu: String?

  @Flag(name: .customLong("no-runtimes"), help: "Carry no engine archive and no wheels.")
  var noRuntimes = false

  @Flag(name: .customLong("no-app"), help: "Carry neither the Synapse checkout nor its npm packages.")
  var noApp = false

  @Option(name: .long, help: ArgumentHelp("Sign the manifest with this private key (from bundle keygen).", valueName: "KEY"))
  var sign: String?

  @Flag(name: .long, help: "Print the result as JSON.")
  var json = false

  func validate() throws {
    if gpu != nil && noRuntimes { throw ValidationError("--gpu chooses the engine archive to carry; --no-runtimes carries none") }
  }

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      let options = BundleExporter.Options(
        project: project.folder(ctx), platform: platform, python: python, tool: tool.map(ctx.absolute), runtimes: !noRuntimes,
        signingKey: sign.map(ctx.absolute), gpu: gpu, app: !noApp)
      let result = try await BundleExporter(context: ctx).export(to: ctx.absolute(file), options: options)
      for note in result.notes { ctx.output.warning(note) }
      if json { return try ctx.output.json(result) }
      ctx.output.print(
        "wrote \(result.path): \(result.members) members, \(ByteCount.format(result.bytes)) in \(ByteCount.format(result.archiveBytes)) (\(result.platform)\(result.python.map { ", Python \($0)" } ?? ""))"
      )
      carried(result.contents, to: ctx.output)
      if let app = result.app {
        ctx.output.print(
          "checkout: \(app.checkout) (\(app.source == .git ? "git" : "folder")), \(app.files) files and \(app.packages) npm packages, placed in \(app.folder == "." ? "the project folder" : "the project's \(app.folder)/") on import\(app.localChanges ? ", with local changes" : "")"
        )
      }
      ctx.output.print("sha256 \(result.sha256)")
      if let signedBy = result.signedBy { ctx.output.print("signed by the key \(signedBy)") }
      let name = (result.path as NSString).lastPathComponent
      ctx.output.print("Import: synapse-local bundle import \(name) --sha256 \(result.sha256) --project \(project.folder(ctx))")
    }
  }

  /// What the bundle carries, largest first: every model and runtime, the wheels past the five
  /// largest in one line (`--json` lists each).
  func carried(_ contents: [BundleExporter.Carried], to output: any OutputSink) {
    let wheels = contents.filter { $0.kind == "wheel" }
    let rest = Array(wheels.dropFirst(5))
    let shown = contents.filter { $0.kind != "wheel" || !rest.contains($0) }
    var rows = shown.map { ($0.kind, "\(ByteCount.format($0.sizeBytes).padding(toLength: 10, withPad: " ", startingAt: 0))  \($0.name)") }
    if !rest.isEmpty {
      let bytes = rest.reduce(0) { $0 + $1.sizeBytes }
      rows.append(("wheel", "\(ByteCount.format(bytes).padding(toLength: 10, withPad: " ", startingAt: 0))  \(rest.count) more wheels"))
    }
    output.print("carries:")
    output.table(rows)
  }
}
