import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@Suite("systemd unit")
struct SystemdUnitTests {
  static func text(_ unit: SystemdUnit) throws -> String {
    try unit.render(TemplateRenderer(folder: Fixtures.share + "/templates", files: try Fixtures.shareFiles()))
  }

  @Test func aSystemUnitRunsTheSupervisorInTheForegroundAfterTheNetwork() throws {
    let unit = SystemdUnit(
      project: "/srv/my synapse", executable: "/opt/bin/synapse-local", user: false, runAs: "ai",
      environment: [("HF_HUB_CACHE", "/models"), ("PATH", "/usr/bin:/bin")])
    #expect(unit.name == "synapse-local-my-synapse.service")
    let text = try Self.text(unit)
    let lines = Set(text.split(separator: "\n").map(String.init))
    for expected in [
      "Wants=network-online.target", "After=network-online.target", "Type=simple", "User=ai", "WorkingDirectory=/srv/my synapse",
      #"Environment="HF_HUB_CACHE=/models""#, #"ExecStart="/opt/bin/synapse-local" up --project "/srv/my synapse""#,
      "Restart=on-failure", "KillSignal=SIGTERM", "TimeoutStopSec=90", "WantedBy=multi-user.target",
    ] {
      #expect(lines.contains(expected), "missing: \(expected)\n\(text)")
    }
    // Never `up -d`: systemd must watch the supervisor itself.
    #expect(!text.contains(" -d"))
  }

  @Test func aUserUnitHasNoSystemTargetsAndSpecifiersAreEscaped() throws {
    let unit = SystemdUnit(project: "/home/me/100%", executable: "/home/me/bin/synapse \"x\"", user: true, environment: [("K", #"a\b"#)])
    #expect(unit.name == "synapse-local-100-.service")
    let text = try Self.text(unit)
    #expect(!text.contains("Wants=network-online.target") && text.contains("WantedBy=default.target"))
    #expect(!text.contains("User="))
    #expect(text.contains(#"ExecStart="/home/me/bin/synapse \"x\"" up --project "/home/me/100%%""#), "\(text)")
    #expect(text.contains(#"Environment="K=a\\b""#))
  }

  /// systemd expands `$VAR` in ExecStart even inside quotes, and `%` specifiers in ExecStart,
  /// WorkingDirectory, Description and Environment: a project folder's name is neither.
  @Test func dollarsAndSpecifiersInAPathAreLiteral() throws {
    let unit = SystemdUnit(
      project: "/srv/$HOME/${USER}/%h x", executable: "/opt/$bin/synapse-local", user: false, environment: [("K", "$HOME %h")])
    let lines = try Self.text(unit).split(separator: "\n").map(String.init)
    #expect(lines.contains(#"ExecStart="/opt/$$bin/synapse-local" up --project "/srv/$$HOME/$${USER}/%%h x""#), "\(lines)")
    #expect(lines.contains("WorkingDirectory=/srv/$HOME/${USER}/%%h x"))
    #expect(lines.contains("Description=Synapse stack (synapse-local) in /srv/$HOME/${USER}/%%h x"))
    // Environment= takes `$` as it is (only `%` is expanded there).
    #expect(lines.contains(#"Environment="K=$HOME %%h""#))
  }

  /// A line break in any value would start a directive of its own (`ExecStartPre=`): refused in
  /// one line, and the export writes nothing.
  @Test func controlCharactersAreRefusedAndNothingIsWritten() async throws {
    let injection = "\nExecStartPre=/bin/sh -c 'touch /tmp/pwned'\n"
    for unit in [
      SystemdUnit(project: "/srv/a" + injection, executable: "/opt/bin/synapse-local", user: false),
      SystemdUnit(project: "/srv/a", executable: "/opt/bin/synapse-local\r", user: false),
      SystemdUnit(project: "/srv/a", executable: "/opt/bin/synapse-local", user: false, environment: [("PATH", "/bin" + injection)]),
    ] {
      #expect {
        try Self.text(unit)
      } throws: { error in
        error is ExportError && "\(error)".contains("control character") && !"\(error)".contains("\n")
      }
    }

    let project = "/srv/a" + injection
    let files = MemoryFileSystem(roots: ["/srv"])
    let renderer = TemplateRenderer(folder: Fixtures.share + "/templates", files: try Fixtures.shareFiles())
    try files.write(try ProjectFile.render(ProjectConfiguration(), renderer: renderer), to: project + "/synapse-local.yaml")
    var context = Fixtures.machineContext("laptop-v2")
    context.files = files
    context.environment = [:]
    let exporter = SystemdExporter(context: context, renderer: renderer, executable: "/opt/bin/synapse-local")
    await #expect(throws: ExportError.self) { try await exporter.run(.init(project: project, output: "/srv/out")) }
    #expect(files.paths == [project + "/synapse-local.yaml"])
  }
}
