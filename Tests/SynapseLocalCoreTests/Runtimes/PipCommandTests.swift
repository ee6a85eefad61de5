import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The pip command lines a Python runtime is built with, through the installer's `build` and a
/// process runner that answers only the exact commands written here: hashes required when the
/// requirement file pins them, and a torch index used for torch alone, never as an extra index.
@Suite("pip command lines")
struct PipCommandTests {
  static let flask = String(repeating: "f", count: 64)
  static let torch = String(repeating: "7", count: 64)
  static let pip = "-m pip install --disable-pip-version-check --no-input --quiet --only-binary=:all:"

  /// A pinned set as scripts/pin-requirements writes it: continued lines, one hash per file.
  static let hashed = RequirementSet(
    id: .embedding, path: "/p/runtimes/embedding.txt",
    text: """
      # pinned
      flask==3.1.3 \\
          --hash=sha256:\(flask) \\
          --hash=sha256:\(String(repeating: "e", count: 64))
          # via sentence-transformers
      nvidia-cublas==13.4.1.3 ; sys_platform == 'linux' \\
          --hash=sha256:\(String(repeating: "c", count: 64))
      torch==2.15.0 \\
          --hash=sha256:\(String(repeating: "d", count: 64))

      """)

  struct Build {
    let folder = "/pip-\(UUID().uuidString.prefix(8))"
    let files: MemoryFileSystem
    var target: String { folder + "/env" }
    var staging: String { folder + "/staging" }
    let output = RecordingOutput()

    init() throws {
      files = MemoryFileSystem(roots: [folder, "/wheels"])
      try files.createDirectory(folder + "/staging")
    }

    /// Runs `build` where only `commands` (after the venv's) are answered, each with success.
    func run(_ set: RequirementSet, _ request: PythonRuntimeInstaller.Request, commands: [String]) async throws {
      var answers = ["/usr/bin/python3 -m venv \(target)": ProcessResult(status: 0, stdout: "", stderr: "")]
      for command in commands {
        answers["\(target)/bin/python \(PipCommandTests.pip) \(command)"] = ProcessResult(status: 0, stdout: "", stderr: "")
      }
      let context = Context.testing(
        system: MemoryFileSystem(roots: ["/"]), environment: [:], processes: StubProcessRunner(answers), files: files, output: output)
      let installer = PythonRuntimeInstaller(
        context: context, home: RuntimeHome(path: folder + "/home"), platform: .linuxX64, profiles: "/p")
      try await installer.build(target, python: "/usr/bin/python3", requirements: set, staging: staging, id: set.id, request: request)
    }

    func read(_ name: String) throws -> String { try #require(files.text(staging + "/" + name)) }
  }

  @Test func aSetWithHashesIsInstalledWithHashesRequiredFromAnIndexOrAWheelhouse() async throws {
    let build = try Build()
    try await build.run(Self.hashed, .init(pinned: nil), commands: ["--require-hashes -r \(build.staging)/requirements.txt"])
    let written = try build.read("requirements.txt")
    #expect(written.split(separator: "\n").count == 3 && written.hasPrefix("flask==3.1.3 --hash=sha256:\(Self.flask) --hash=sha256:"))
    #expect(build.output.warnings.isEmpty)
    try await build.run(
      Self.hashed, .init(pinned: nil, wheelhouse: "/wheels"),
      commands: ["--require-hashes --no-index --find-links /wheels -r \(build.staging)/requirements.txt"])
  }

  @Test func aSetWithoutHashesIsInstalledWithAWarning() async throws {
    let build = try Build()
    let bare = RequirementSet(id: .postgresql, path: "/p/runtimes/postgresql.txt", text: "pgserver==0.1.4\n")
    #expect(!bare.pinsHashes)
    try await build.run(bare, .init(pinned: nil), commands: ["--no-deps -r \(build.staging)/requirements.txt"])
    #expect(build.output.warnings.contains { $0.contains("/p/runtimes/postgresql.txt pins no hashes") })
  }

  @Test func torchComesFromItsIndexAloneAndTheRestWithHashes() async throws {
    let build = try Build()
    let rest = "--require-hashes -r \(build.staging)/requirements.txt"
    // Without --torch-sha256, torch's CPU build cannot be hash-checked: said, not hidden.
    try await build.run(
      Self.hashed, .init(pinned: nil, torchIndex: "https://mirror/cpu"),
      commands: ["--no-deps --index-url https://mirror/cpu -r \(build.staging)/torch.txt", rest])
    #expect(try build.read("torch.txt") == "torch==2.15.0+cpu\n")
    let others = try build.read("requirements.txt")
    #expect(others.hasPrefix("flask==3.1.3 --hash=") && !others.contains("torch") && !others.contains("nvidia"))
    #expect(build.output.warnings.contains { $0.contains("torch==2.15.0+cpu") && $0.contains("--torch-sha256") })
    // With it, torch is pinned too.
    let pinned = try Build()
    try await pinned.run(
      Self.hashed, .init(pinned: nil, torchIndex: "https://mirror/cpu", torchSHA256: Self.torch),
      commands: [
        "--no-deps --require-hashes --index-url https://mirror/cpu -r \(pinned.staging)/torch.txt",
        "--require-hashes -r \(pinned.staging)/requirements.txt",
      ])
    #expect(try pinned.read("torch.txt") == "torch==2.15.0+cpu --hash=sha256:\(Self.torch)\n")
    #expect(pinned.output.warnings.isEmpty)
  }

  /// pip's own words when a file's bytes are not the pinned ones (pip 23 and 26 print the same).
  @Test func pipsHashMismatchIsReadIntoOneLine() throws {
    let said = """
      ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.
          alpha==1.0 from file:///tmp/wh/alpha-1.0-py3-none-any.whl (from -r req.txt (line 1)):
              Expected sha256 07b2a5addd2359db5a156f8edd3451d10473e3ccc09c2409b1a17e6aff1de8d9
                   Got        17b2a5addd2359db5a156f8edd3451d10473e3ccc09c2409b1a17e6aff1de8d9
      """
    let mismatch = try #require(PipHashMismatch(pipOutput: said))
    #expect(mismatch.requirement == "alpha==1.0" && mismatch.source == "/tmp/wh/alpha-1.0-py3-none-any.whl")
    #expect(mismatch.got == "17b2a5addd2359db5a156f8edd3451d10473e3ccc09c2409b1a17e6aff1de8d9")
    #expect(PipHashMismatch(pipOutput: "ERROR: No matching distribution found for alpha==1.0") == nil)
  }
}
