import SynapseLocalCore
import SynapseLocalTesting
import Testing

@Suite("systemd unit")
struct SystemdUnitTests {
  static func text(_ unit: SystemdUnit) throws -> String {
    try unit.render(TemplateRenderer(folder: Fixtures.repositoryRoot + "/templates"))
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
}
