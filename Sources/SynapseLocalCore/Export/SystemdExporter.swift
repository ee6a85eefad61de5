import Foundation
import SynapseLocalSystem

/// `export systemd`: writes the project's unit (`SystemdUnit`) into a folder and, with `install`,
/// puts it where systemd looks and enables it. `root` installs into an image's root instead of
/// this host (`systemctl --root`), which needs no running systemd.
public struct SystemdExporter: Sendable {
  public struct Request: Sendable {
    public var project: String
    public var output: String
    public var user = false
    public var install = false
    public var root: String?

    public init(project: String, output: String) {
      self.project = project
      self.output = output
    }
  }

  public struct Result: Sendable, Codable, Equatable {
    public var unit: String
    public var file: String
    /// Where it was installed and enabled; nil without `--install`.
    public var installed: String?
    public var notes: [String]
  }

  /// The variables copied into the unit when set now: what `up` reads to find binaries and models.
  public static let carriedVariables = [
    "SYNAPSE_LOCAL_HOME", "HF_HOME", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "SYNAPSE_LOCAL_LLAMA_SERVER", "SYNAPSE_LOCAL_VLLM",
    "SYNAPSE_LOCAL_PYTHON", "SYNAPSE_LOCAL_PG_BIN", "SYNAPSE_LOCAL_NODE", "PATH",
  ]

  /// A search path with each folder once, first place kept (a shell's PATH often repeats them),
  /// and empty entries dropped: they mean the current folder, which a service's is not.
  public static func distinctEntries(_ path: String) -> String {
    var seen: Set<Substring> = []
    return path.split(separator: ":", omittingEmptySubsequences: true).filter { seen.insert($0).inserted }.joined(separator: ":")
  }

  let context: Context
  let renderer: TemplateRenderer
  let executable: String

  public init(context: Context, renderer: TemplateRenderer, executable: String = DetachedProcess.ownExecutable) {
    self.context = context
    self.renderer = renderer
    self.executable = executable
  }

  public func run(_ request: Request) async throws -> Result {
    let files = context.files
    // The project must be one: a unit for a folder `up` refuses would only fail at boot.
    _ = try ProjectFile.load(project: request.project, environment: context.environment, files: files)
    let environment = Self.carriedVariables.compactMap { key in
      context.environment[key].map { (key, key == "PATH" ? Self.distinctEntries($0) : $0) }
    }
    let unit = SystemdUnit(
      project: request.project, executable: executable, user: request.user, runAs: request.user ? nil : Self.currentUser(),
      environment: environment)
    // Rendered first: a value the unit cannot hold is refused before anything is written.
    let text = try unit.render(renderer)
    try files.createDirectory(request.output, permissions: 0o755)
    let file = request.output + "/" + unit.name
    try files.write(text, to: file, permissions: 0o644)
    var result = Result(unit: unit.name, file: file, installed: nil, notes: [])
    let booted = files.isDirectory("/run/systemd/system")
    guard request.install else {
      if !booted {
        result.notes.append("this host does not run systemd (no /run/systemd/system): install \(unit.name) on one that does")
      }
      return result
    }
    guard let systemctlPath = BinaryLocator(environment: context.environment, files: files).resolve("systemctl") else {
      throw ExportError.noSystemd("systemctl is not on PATH: this host has no systemd; copy \(file) to one that has")
    }
    if request.root == nil && !booted {
      throw ExportError.noSystemd(
        "this host does not run systemd (no /run/systemd/system): copy \(file) to a host that does, or install into an image with --root DIR"
      )
    }
    let folder = Self.unitFolder(user: request.user, root: request.root, environment: context.environment)
    try files.createDirectory(folder, permissions: 0o755)
    let target = folder + "/" + unit.name
    try files.write(text, to: target, permissions: 0o644)
    let scope: [String]
    if let root = request.root {
      scope = ["--root", root] + (request.user ? ["--global"] : [])
    } else {
      scope = request.user ? ["--user"] : []
      try await systemctl(systemctlPath, scope + ["daemon-reload"])
    }
    try await systemctl(systemctlPath, scope + ["enable", unit.name])
    result.installed = target
    let manage = "systemctl\(request.user ? " --user" : "")"
    result.notes.append(
      request.root == nil
        ? "enabled: it starts at boot; start it now with `\(manage) start \(unit.name)`" : "enabled in the image at \(request.root!)")
    if request.user { result.notes.append("for a start at boot without a login: loginctl enable-linger \(Self.currentUser() ?? "$USER")") }
    return result
  }

  func systemctl(_ path: String, _ arguments: [String]) async throws {
    let result = try await context.processes.run(path, arguments, timeout: .seconds(60))
    guard result.status == 0 else {
      let why = (result.stderr.isEmpty ? result.stdout : result.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
      throw ExportError.noSystemd("systemctl \(arguments.joined(separator: " ")) failed: \(why.split(separator: "\n").first ?? "")")
    }
  }

  /// `/etc/systemd/system`, `~/.config/systemd/user`, or their places under an image root.
  static func unitFolder(user: Bool, root: String?, environment: [String: String]) -> String {
    if let root { return root + (user ? "/etc/systemd/user" : "/etc/systemd/system") }
    guard user else { return "/etc/systemd/system" }
    let config = environment["XDG_CONFIG_HOME"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
    return config + "/systemd/user"
  }

  /// The user to run a system unit as; nil for root (the supervisor hands PostgreSQL to `nobody`).
  static func currentUser() -> String? {
    let uid = getuid()
    guard uid != 0, let entry = getpwuid(uid) else { return nil }
    return String(cString: entry.pointee.pw_name)
  }
}
