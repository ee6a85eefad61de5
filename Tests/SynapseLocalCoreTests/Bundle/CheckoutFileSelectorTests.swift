import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Which of the checkout's files a bundle carries, on an in-memory checkout with a scripted git:
/// git's tracked files with the local changes noted, or the folder walked without dependencies,
/// build output and secrets; the project's own files left out; hostile names and links refused.
@Suite("bundle export: the checkout's files")
struct CheckoutFileSelectorTests {
  static let files: [String: String] = [
    "/c/package.json": "{}", "/c/package-lock.json": "{}", "/c/apps/backend/package.json": "{}", "/c/apps/backend/src/index.js": "x",
    "/c/apps/backend/node_modules/openai/index.js": "x", "/c/apps/backend/dist/index.js": "x", "/c/.git/config": "x",
    "/c/.env": "SECRET=1", "/c/.env.example": "SECRET=", "/c/apps/backend/.npmrc": "//registry.npmjs.org/:_authToken=abc",
    "/c/synapse-local.yaml": "version: 1\n", "/c/.synapse-local/run/db.pid": "1", "/c/docker-compose.local.yml": "x",
  ]

  /// The project's own files when the checkout is the project folder.
  static let excluded = ["/c/synapse-local.yaml", "/c/synapse-local.lock", "/c/.synapse-local", "/c/.env", "/c/docker-compose.local.yml"]

  static func context(_ files: MemoryFileSystem, git answers: [String: String]? = nil, ignored: Bool = false) throws -> Context {
    var scripted: [String: ProcessResult] = [:]
    if let answers {
      try files.write(Data("#!/bin/sh\n".utf8), to: "/tools/git", permissions: 0o755)
      scripted["/tools/git -C /c rev-parse --is-inside-work-tree"] = ProcessResult(status: 0, stdout: "true\n", stderr: "")
      // git check-ignore: 0 when the path is ignored, 1 when it is not.
      scripted["/tools/git -C /c check-ignore -q ."] = ProcessResult(status: ignored ? 0 : 1, stdout: "", stderr: "")
      for (arguments, stdout) in answers {
        scripted["/tools/git -C /c ls-files -z " + arguments] = ProcessResult(status: 0, stdout: stdout, stderr: "")
      }
    }
    return Context.testing(system: files, environment: ["PATH": "/tools"], processes: StubProcessRunner(scripted), files: files)
  }

  static func select(_ context: Context) async throws -> CheckoutFiles {
    try await CheckoutFileSelector(context: context).select(checkout: "/c", folders: ["/c"], excluded: excluded)
  }

  static func git(tracked: [String], modified: [String] = [], untracked: [String] = []) -> [String: String] {
    func z(_ paths: [String]) -> String { paths.map { $0 + "\0" }.joined() }
    return ["--cached --recurse-submodules": z(tracked), "--modified": z(modified), "--others --exclude-standard": z(untracked)]
  }

  @Test func gitsTrackedFilesAreCarriedAsTheyAreWithTheLocalChangesNoted() async throws {
    let files = MemoryFileSystem(roots: ["/c", "/tools"], files: Self.files)
    try files.write(Data("#!/bin/sh\n".utf8), to: "/c/apps/backend/run.sh", permissions: 0o755)
    let tracked = ["package.json", "package-lock.json", "apps/backend/package.json", "apps/backend/src/index.js", "apps/backend/run.sh"]
    let answers = Self.git(
      tracked: tracked + ["apps/backend/gone.js", "synapse-local.yaml", ".env"],
      modified: ["apps/backend/src/index.js", "apps/backend/gone.js"],
      untracked: ["notes.txt"])
    let selection = try await Self.select(try Self.context(files, git: answers))
    #expect(selection.source == .git)
    #expect(selection.files.map(\.relative) == tracked.sorted(), "the project's own files and a deleted one are not carried")
    #expect(selection.files.first { $0.relative == "apps/backend/run.sh" }?.executable == true)
    #expect(selection.modified == ["apps/backend/src/index.js"] && selection.deleted == ["apps/backend/gone.js"])
    #expect(selection.untracked == ["notes.txt"] && selection.withheld.isEmpty)
    #expect(
      selection.localChangesNote
        == "the checkout /c has local changes: 1 modified (carried as they are on disk: apps/backend/src/index.js); 1 deleted (not carried: apps/backend/gone.js); 1 untracked (not carried; `git add` them to carry them: notes.txt)"
    )
    let clean = try await Self.select(try Self.context(files, git: Self.git(tracked: tracked)))
    #expect(!clean.hasLocalChanges && clean.localChangesNote == nil)
  }

  /// The demo copies the app into a folder its own repository ignores: that repository tracks none
  /// of it, so the folders are walked instead of carrying nothing.
  @Test func aCheckoutInAnotherRepositorysIgnoredFolderIsWalked() async throws {
    let files = MemoryFileSystem(roots: ["/c", "/tools"], files: Self.files)
    let selection = try await Self.select(try Self.context(files, git: Self.git(tracked: []), ignored: true))
    #expect(selection.source == .folder)
    #expect(selection.files.map(\.relative).contains("apps/backend/package.json"))
  }

  @Test func outsideGitTheFoldersAreWalkedWithoutDependenciesBuildOutputOrSecrets() async throws {
    let files = MemoryFileSystem(roots: ["/c", "/tools"], files: Self.files)
    let selection = try await Self.select(try Self.context(files))
    #expect(selection.source == .folder)
    #expect(
      selection.files.map(\.relative) == [
        ".env.example", "apps/backend/package.json", "apps/backend/src/index.js", "package-lock.json", "package.json",
      ])
    #expect(selection.withheld == ["apps/backend/.npmrc"], "the generated .env is the project's own; the .npmrc holds a token")
    #expect(selection.withheldNote?.contains("apps/backend/.npmrc") == true && !selection.hasLocalChanges)
  }

  @Test func aLinkIsCarriedAsItsFileInsideTheCheckoutAndRefusedOutsideIt() async throws {
    let files = MemoryFileSystem(roots: ["/c", "/tools"], files: Self.files)
    files.link("/c/apps/backend/alias.js", to: "src/index.js")
    files.link("/c/apps/shared", to: "backend/src")
    let answers = Self.git(tracked: ["package.json", "apps/backend/alias.js", "apps/shared/index.js"])
    let selection = try await Self.select(try Self.context(files, git: answers))
    #expect(selection.files.map(\.source) == ["/c/apps/backend/src/index.js", "/c/apps/backend/src/index.js", "/c/package.json"])

    for (target, listed) in [("/etc/passwd", "apps/evil"), ("../../../etc", "apps/up/passwd"), ("missing.js", "apps/dangling")] {
      let hostile = MemoryFileSystem(roots: ["/c", "/tools"], files: Self.files)
      hostile.link("/c/" + (listed.hasSuffix("/passwd") ? "apps/up" : listed), to: target)
      let context = try Self.context(hostile, git: Self.git(tracked: ["package.json", listed]))
      do {
        _ = try await Self.select(context)
        Issue.record("\(listed) -> \(target) was carried")
      } catch let error as BundleError {
        guard case .cannotExport(let reason) = error else { throw error }
        #expect(reason.hasPrefix("the checkout's \(listed) ") && reason.hasSuffix("or pass --no-app"), "\(reason)")
      }
    }
  }

  @Test func hostileNamesAreRefused() async throws {
    for (name, reason) in [
      ("../escape.js", "has an empty, '.' or '..' part"), ("a/./b.js", "has an empty, '.' or '..' part"),
      ("line\nbreak.js", "has a control character in its name"), (".git/hooks/pre-commit", "is inside a .git folder"),
      ("sub/.GIT/config", "is inside a .git folder"), ("/etc/passwd", "is absolute"),
    ] {
      #expect(CheckoutPath.refusal(name) == reason, "\(name.debugDescription)")
      let files = MemoryFileSystem(roots: ["/c", "/tools"], files: Self.files)
      let context = try Self.context(files, git: Self.git(tracked: ["package.json", name]))
      await #expect(
        throws: BundleError.cannotExport(reason: "the checkout's file \(PathSafety.quoted(name)) \(reason): rename it, or pass --no-app")
      ) { try await Self.select(context) }
    }
    #expect(CheckoutPath.refusal("apps/backend/src/index.js") == nil && CheckoutPath.refusal(".github/workflows/ci.yml") == nil)
  }

  /// A checkout outside the project travels to the project's app/ folder; only that line of the
  /// project file changes.
  @Test func aCheckoutOutsideTheProjectIsRelocatedInTheBundledProjectFile() throws {
    #expect(BundledProjectFile.synapseFolder(current: ".", checkout: "/p", project: "/p") == ".")
    #expect(BundledProjectFile.synapseFolder(current: "src/synapse", checkout: "/p/src/synapse", project: "/p") == "src/synapse")
    #expect(BundledProjectFile.synapseFolder(current: "/p/src/synapse", checkout: "/p/src/synapse", project: "/p") == "src/synapse")
    #expect(BundledProjectFile.synapseFolder(current: "../synapse", checkout: "/synapse", project: "/p") == "app")
    #expect(BundledProjectFile.synapseFolder(current: "~/synapse", checkout: "/home/u/synapse", project: "/p") == "app")
    let text =
      "version: 1\n# my notes\npaths:\n  state: .synapse-local\n  synapse: /home/u/synapse   # the checkout\nbackend:\n  dir: apps/backend\n"
    let relocated = try BundledProjectFile.relocating(text, to: "app", file: "/p/synapse-local.yaml")
    #expect(relocated == text.replacingOccurrences(of: "  synapse: /home/u/synapse   # the checkout", with: "  synapse: app"))
    #expect(throws: BundleError.self) {
      try BundledProjectFile.relocating("version: 1\npaths: {synapse: /home/u/synapse}\n", to: "app", file: "/p/synapse-local.yaml")
    }
  }
}
