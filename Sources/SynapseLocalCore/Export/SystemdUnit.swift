import Foundation
import SynapseLocalSystem

/// The unit that keeps a project's stack running under systemd: the supervisor in the foreground
/// (`up`, not `-d`), restarted when it fails, stopped with the signal it handles and time for it
/// to stop every service. The text is a template's; docs/systemd.md explains each line.
public struct SystemdUnit: Sendable, Equatable {
  /// The project folder (absolute).
  public var project: String
  /// The synapse-local binary (absolute).
  public var executable: String
  /// A unit for the user's own manager (`systemctl --user`) instead of the system's.
  public var user: Bool
  /// A system unit run by a user other than root: that user (the supervisor needs no root).
  public var runAs: String?
  /// Variables the stack needs that systemd's clean environment lacks (binaries, model store, PATH).
  public var environment: [(String, String)]

  /// SIGTERM: the supervisor stops the services in reverse order, each keeper waiting up to 10 s
  /// before SIGKILL; 90 s covers five services.
  public static let stopSeconds = 90

  public static func == (a: SystemdUnit, b: SystemdUnit) -> Bool {
    a.project == b.project && a.executable == b.executable && a.user == b.user && a.runAs == b.runAs
      && a.environment.map { "\($0)=\($1)" } == b.environment.map { "\($0)=\($1)" }
  }

  public init(project: String, executable: String, user: Bool, runAs: String? = nil, environment: [(String, String)] = []) {
    self.project = project
    self.executable = executable
    self.user = user
    self.runAs = runAs
    self.environment = environment
  }

  /// `synapse-local-<folder>.service`, in the characters unit names allow.
  public var name: String {
    let folder = project.split(separator: "/").last.map(String.init) ?? "project"
    let safe = String(folder.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
    return "synapse-local-\(safe.isEmpty ? "project" : safe).service"
  }

  /// The unit's text, from `templates/systemd/synapse-local.service.mustache`. A value with a
  /// control character is refused: a line break would start a directive of its own.
  public func render(_ renderer: TemplateRenderer) throws -> String {
    try Self.refuseControlCharacters(
      [("the project folder", project), ("the synapse-local binary", executable), ("the user", runAs ?? "")]
        + environment.flatMap { [("an environment variable's name", $0.0), ("$\($0.0)", $0.1)] })
    let context: [String: Any] = [
      "user": user, "project": project, "description": Self.escaped(project), "run_as": runAs ?? false,
      "working_directory": Self.escaped(project), "environment": environment.map { Self.quoted("\($0)=\($1)") },
      "exec_start": "\(Self.command(executable)) up --project \(Self.command(project))",
      "stop_seconds": Self.stopSeconds, "wanted_by": user ? "default.target" : "multi-user.target",
    ]
    return try renderer.render("systemd/synapse-local.service", context)
  }

  /// A word for Environment: double-quoted, with `"` and `\` escaped and `%` doubled (systemd
  /// expands `%` specifiers).
  static func quoted(_ text: String) -> String {
    "\"" + escaped(text).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }

  /// A word for ExecStart: quoted, and `$` doubled, since systemd expands `$VAR` and `${VAR}` in
  /// a command line even inside quotes (`/srv/$HOME` would become root's home).
  static func command(_ text: String) -> String { quoted(text).replacingOccurrences(of: "$", with: "$$") }

  /// One line naming the first value with a control character (line break, carriage return...).
  static func refuseControlCharacters(_ values: [(String, String)]) throws {
    for (what, value) in values {
      guard let bad = ControlCharacters.first(in: value) else { continue }
      throw ExportError.badInput(
        "\(what) \(value.debugDescription) has the control character \(ControlCharacters.name(bad)), which a systemd unit cannot hold (a line break starts a new directive): rename it, or run synapse-local from a folder without one"
      )
    }
  }

  /// `%` doubled, for settings that take a path as it is.
  static func escaped(_ text: String) -> String { text.replacingOccurrences(of: "%", with: "%%") }
}
