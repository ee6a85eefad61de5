import ArgumentParser
import Foundation
import SynapseLocalCore
import SynapseLocalSystem

struct ExportSystemdCommand: ContextCommand {
  static let configuration = CommandConfiguration(
    commandName: "systemd",
    abstract: "Write (and with --install, install and enable) a systemd unit that runs the stack.",
    discussion: """
      The unit is synapse-local-<project folder>.service. It runs `synapse-local up --project DIR` \
      in the foreground with Restart=on-failure, SIGTERM to stop and 90 s for the supervisor to \
      stop every service, after network-online.target (a system unit). It carries the variables \
      `up` reads that are set now (SYNAPSE_LOCAL_*, HF_HOME, HF_HUB_CACHE, PATH): systemd starts \
      services with a clean environment. A system unit exported by a user other than root runs as \
      that user.

      --install writes it to /etc/systemd/system (--user: ~/.config/systemd/user), reloads \
      systemd and enables it; --root DIR installs into an image's root instead (systemctl --root), \
      which needs no running systemd. On a host without systemd, --install says so and installs \
      nothing.

      Examples:
        synapse-local export systemd -o deploy/
        sudo synapse-local export systemd -o deploy/ --install --project /srv/synapse
        synapse-local export systemd -o deploy/ --user --install
        synapse-local export systemd -o deploy/ --install --root /mnt/image
      """)

  @OptionGroup var project: ProjectOption

  @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The folder to write the unit into.", valueName: "DIR"))
  var output: String

  @Flag(name: .long, help: "A unit for your own user manager (systemctl --user) instead of the system's.")
  var user = false

  @Flag(name: .long, help: "Also put the unit where systemd looks, and enable it.")
  var install = false

  @Option(name: .long, help: ArgumentHelp("With --install: the root of an image to install into (systemctl --root).", valueName: "DIR"))
  var root: String?

  @Flag(name: .long, help: "Print the result as JSON: unit, file, installed, notes.")
  var json = false

  func validate() throws {
    if root != nil && !install { throw ValidationError("--root installs into an image: use it with --install") }
  }

  func run() async throws { try await run(.command()) }

  func run(_ ctx: Context) async throws {
    let ctx = ctx.printing(quiet: json)
    try await reportingErrors(ctx.output) {
      var request = SystemdExporter.Request(project: project.folder(ctx), output: ctx.absolute(output))
      request.user = user
      request.install = install
      request.root = root.map { ctx.absolute($0) }
      let renderer = try TemplateRenderer.live(environment: ctx.environment, files: ctx.files)
      let result = try await SystemdExporter(context: ctx, renderer: renderer).run(request)
      if json { return try ctx.output.json(result) }
      ctx.output.print("wrote \(result.file)")
      if let installed = result.installed { ctx.output.print("installed \(installed)") }
      for note in result.notes { ctx.output.print(note) }
    }
  }
}
