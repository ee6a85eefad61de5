import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The checkout (`app/`) and npm cache (`npm-cache/`) members of a crafted bundle: placed into an
/// empty project with their modes, not written again into the same checkout, refused over a file
/// that differs unless --force, put back by a rollback, and refused when their paths or bytes are
/// hostile, with nothing changed.
@Suite("bundle import: the app")
struct BundleAppImportTests {
  typealias Scratch = BundleImportTests.Scratch

  static let tarball = Data("a stand-in npm tarball".utf8)
  /// The cache member for `bytes`: its name is its SHA-512, as cacache names content.
  static func cacheMember(_ bytes: Data) -> String {
    let hex = Digest.hex(.sha512, Array(bytes))
    return "npm-cache/" + NpmIntegrity(algorithm: .sha512, hex: hex).contentPath
  }

  static func members(project: String = "version: 1\n", app: [(String, Data)]? = nil) -> [(String, Data)] {
    BundleImportTests.members(for: BundleImportTests.model, project: project)
      + (app ?? [
        ("app/package.json", Data(#"{"workspaces": ["apps/*"]}"#.utf8)), ("app/apps/backend/run.sh", Data("#!/bin/sh\n".utf8)),
        (cacheMember(tarball), tarball),
      ])
  }

  static func craft(_ path: String, in files: any FileSystem, project: String = "version: 1\n", app: [(String, Data)]? = nil) throws {
    try BundleImportTests.craft(
      path, in: files,
      manifest: { manifest in
        manifest.format = BundleManifest.appFormat
        manifest.signed = false
        for index in manifest.members.indices where manifest.members[index].path.hasSuffix(".sh") {
          manifest.members[index].executable = true
        }
      }, members: members(project: project, app: app))
  }

  func importing(_ bundle: String, _ scratch: Scratch, force: Bool = false) async throws -> BundleImporter.Result {
    try await BundleImporter(context: scratch.context).importBundle(
      bundle, options: .init(project: scratch.project, force: force, trust: BundleImportTests.trust(bundle, in: scratch.files)))
  }

  @Test func theCheckoutGoesIntoTheProjectAndIsNotWrittenTwice() async throws {
    let scratch = try Scratch()
    let bundle = scratch.root + "/app.tar.zst"
    try Self.craft(bundle, in: scratch.files)
    let first = try await importing(bundle, scratch)
    #expect(first.checkout == scratch.project && first.appFiles == 2 && first.appFilesPresent == 0 && first.npmPackages == 1)
    let files = scratch.files
    let script = scratch.project + "/apps/backend/run.sh"
    #expect(files.contents(script) == Data("#!/bin/sh\n".utf8))
    #expect(files.entry(script)?.permissions == 0o755)
    #expect(files.entry(scratch.project + "/package.json")?.permissions == 0o644)
    let cached = scratch.project + "/.synapse-local/" + Self.cacheMember(Self.tarball)
    #expect(files.contents(cached) == Self.tarball)
    #expect(files.entry(scratch.project + "/.synapse-local")?.permissions == 0o711)
    #expect(first.notes.contains { $0.contains("npm packages are in \(scratch.project)/.synapse-local/npm-cache") })
    let inode = files.identity(script)
    let second = try await importing(bundle, scratch)
    #expect(second.appFilesPresent == 2)
    #expect(files.identity(script) == inode, "not written again")
  }

  @Test func aCheckoutFileThatDiffersIsReplacedOnlyWithForceAndPutBackOnFailure() async throws {
    let scratch = try Scratch()
    try scratch.files.createDirectory(scratch.project)
    try scratch.files.write(Data("mine".utf8), to: scratch.project + "/package.json", permissions: 0o644)
    let bundle = scratch.root + "/app.tar.zst"
    try Self.craft(bundle, in: scratch.files)
    // The project as it was (the store keeps the empty folders a model import makes, as before).
    var project: [String: String] { scratch.contents.filter { $0.key.hasPrefix(scratch.project + "/") } }
    let before = project
    await #expect(
      throws: BundleError.projectFileDiffers(
        path: bundle, file: scratch.project + "/package.json", reason: "differs from the bundle's checkout")
    ) { try await importing(bundle, scratch) }
    #expect(project == before)

    // --force, then a failure after the checkout was placed (an engine archive that is none).
    let failing = scratch.root + "/failing.tar.zst"
    let archive = "runtimes/llama.cpp/llama-own-build.tar.gz"
    try BundleImportTests.craft(
      failing, in: scratch.files,
      manifest: {
        $0.format = BundleManifest.appFormat
        $0.engineArchive = archive
      }, members: Self.members() + [(archive, Data("not an archive".utf8))])
    await #expect(throws: (any Error).self) { try await importing(failing, scratch, force: true) }
    #expect(project == before, "the checkout's file put back, the new folders gone")

    let forced = try await importing(bundle, scratch, force: true)
    #expect(forced.appFiles == 2 && scratch.files.contents(scratch.project + "/package.json") != Data("mine".utf8))
  }

  @Test func hostileAppMembersAreRefusedAndChangeNothing() async throws {
    let scratch = try Scratch()
    let elsewhere = scratch.root + "/elsewhere"
    try scratch.files.createDirectory(elsewhere)
    try scratch.files.createDirectory(scratch.project)
    try scratch.files.createLink(scratch.project + "/linked", to: elsewhere)
    let before = scratch.contents
    let wrong = Data("other bytes".utf8)
    let cases: [(String, [(String, Data)], String, String)] = [
      (
        "hooks", [("app/.git/hooks/post-checkout", Data("x".utf8))], "version: 1\n",
        "its member app/.git/hooks/post-checkout is inside a .git folder"
      ),
      ("control", [("app/a\u{1B}b.js", Data("x".utf8))], "version: 1\n", "has a control character in its name"),
      ("index", [("npm-cache/_cacache/index-v5/aa/bb/cc", Data("x".utf8))], "version: 1\n", "is not a content file of npm's cache"),
      ("content", [(Self.cacheMember(Self.tarball), wrong)], "version: 1\n", "is not the package its name's sha512 names"),
      (
        "outside", [("app/package.json", Data("{}".utf8))], "version: 1\npaths:\n  synapse: /tmp/elsewhere\n",
        #"puts the checkout outside the project (paths.synapse: "/tmp/elsewhere")"#
      ),
      ("project", [("app/synapse-local.lock", Data("x".utf8))], "version: 1\n", "would overwrite the project's own"),
      ("state", [("app/.synapse-local/run/backend.pid", Data("1".utf8))], "version: 1\n", "would overwrite the project's own"),
      ("link", [("app/linked/index.js", Data("x".utf8))], "version: 1\n", "\(scratch.project)/linked: it is a link"),
    ]
    for (name, app, project, expected) in cases {
      let bundle = scratch.root + "/\(name).tar.zst"
      try Self.craft(bundle, in: scratch.files, project: project, app: app)
      do {
        _ = try await importing(bundle, scratch)
        Issue.record("\(name): imported")
      } catch {
        #expect("\(error)".contains(expected), "\(name): \(error)")
        #expect(!"\(error)".contains("\n"), "\(name): one line")
      }
      #expect(scratch.contents == before, "\(name)")
      #expect(scratch.files.walk(elsewhere)?.isEmpty ?? true, "\(name): nothing written through the link")
    }
  }
}
