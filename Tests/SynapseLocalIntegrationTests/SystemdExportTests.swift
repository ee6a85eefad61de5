import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `export systemd` for real: the unit passes `systemd-analyze verify`, `--install --root` enables
/// it in an image's root with the real systemctl, and bad input gets one line.
@Suite("export systemd", .tags(.integration), .serialized)
struct SystemdExportTests {
  static let analyze = "/usr/bin/systemd-analyze"
  static var present: Bool { FileManager.default.isExecutableFile(atPath: analyze) }

  @Test(.timeLimit(.minutes(1)), .enabled(if: present || TestBed.isRequired))
  func theUnitVerifiesAndInstallsIntoAnImageRoot() async throws {
    let root = NSTemporaryDirectory() + "systemd-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: root) }
    let project = root + "/synapse"
    try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
    let initialized = try await CLIRunner.run(["init", "--profile", "demo", "--project", project])
    try #require(initialized.status == 0, "\(initialized.stderr)")

    // A shell's PATH with folders twice and an empty entry: the unit carries each folder once.
    let exported = try await CLIRunner.run(
      ["export", "systemd", "-o", root + "/out", "--project", project, "--json"],
      environment: ["PATH": "/usr/local/bin:/usr/bin:/bin::/usr/bin:/usr/local/bin"])
    try #require(exported.status == 0, "\(exported.stderr)")
    let result = try JSONDecoder().decode(SystemdExporter.Result.self, from: Data(exported.stdout.utf8))
    #expect(result.unit == "synapse-local-synapse.service" && result.installed == nil)
    let text = try String(contentsOfFile: result.file, encoding: .utf8)
    // The binary as the running one names itself (the build folder's link resolved).
    let binary = URL(fileURLWithPath: Fixtures.executable).resolvingSymlinksInPath().path
    #expect(text.contains("ExecStart=\"\(binary)\" up --project \"\(project)\""), "\(text)")
    #expect(text.contains("PATH=/usr/local/bin:/usr/bin:/bin\""), "\(text)")
    let (status, output) = try await runCommand(Self.analyze, ["verify", result.file])
    #expect(status == 0, "systemd-analyze verify: \(output)")
    #expect(!output.contains(result.unit), "systemd-analyze verify: \(output)")

    // Into an image's root: in place and enabled, with no running systemd.
    let image = root + "/image"
    let installed = try await CLIRunner.run(["export", "systemd", "-o", root + "/out", "--project", project, "--install", "--root", image])
    #expect(installed.status == 0, "\(installed.stderr)")
    let wants = image + "/etc/systemd/system/multi-user.target.wants/" + result.unit
    #expect(FileManager.default.fileExists(atPath: image + "/etc/systemd/system/" + result.unit))
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: wants))?.hasSuffix(result.unit) == true, "not enabled: \(wants)")
    let user = try await CLIRunner.run([
      "export", "systemd", "-o", root + "/out", "--project", project, "--user", "--install", "--root", image,
    ])
    #expect(user.status == 0, "\(user.stderr)")
    // (Links into the image's own paths: read, not followed.)
    let userWants = image + "/etc/systemd/user/default.target.wants/" + result.unit
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: userWants)) != nil, "\(user.stdout)")

    // On this host without systemd as init, --install says so and installs nothing.
    if !FileManager.default.fileExists(atPath: "/run/systemd/system") {
      let refused = try await CLIRunner.run(["export", "systemd", "-o", root + "/out", "--project", project, "--install"])
      #expect(refused.status == 1 && refused.stderr.contains("does not run systemd"), "\(refused.stderr)")
      #expect(refused.stderr.split(separator: "\n").count == 1)
    }
    let misused = try await CLIRunner.run(["export", "systemd", "-o", root + "/out", "--project", project, "--root", image])
    #expect(misused.status != 0 && misused.stderr.contains("--root"), "\(misused.stderr)")
    let nowhere = try await CLIRunner.run(["export", "systemd", "-o", root + "/out", "--project", root + "/none"])
    #expect(nowhere.status == 1 && nowhere.stderr.split(separator: "\n").count == 1, "\(nowhere.stderr)")
  }

  /// A project folder named with everything systemd reads specially (`$`, `%`, quotes, a
  /// backslash, spaces) still makes a unit systemd parses without a complaint.
  @Test(.timeLimit(.minutes(1)), .enabled(if: present || TestBed.isRequired))
  func aHostileFolderNameStillVerifies() async throws {
    let root = NSTemporaryDirectory() + "systemd-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: root) }
    let project = root + #"/$HOME ${USER} %h %q "x" \ 'y'"#
    try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
    let unit = SystemdUnit(project: project, executable: "/bin/true", user: false, environment: [("PATH", "/usr/bin:$HOME %h")])
    let file = root + "/" + unit.name
    try unit.render(TemplateRenderer(folder: Fixtures.repositoryRoot + "/templates", files: RootedFileSystem())).write(
      toFile: file, atomically: true, encoding: .utf8)
    let (status, output) = try await runCommand(Self.analyze, ["verify", file])
    #expect(status == 0 && !output.contains(unit.name), "systemd-analyze verify: \(output)")
  }
}
