import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// An import that fails after it placed something puts back exactly what was there, by rename: the
/// kept copies are out of reach of any member, survive a failed put-back, and a different lock is
/// not replaced without --force.
@Suite("bundle import: rollback")
struct BundleRollbackTests {
  typealias Scratch = BundleImportTests.Scratch

  /// The project's files after a good import, and a bundle that replaces them (another project
  /// file, --force) and then fails: its llama.cpp "archive" is not one, so the install fails after
  /// the project was written.
  static func failingImport(_ scratch: Scratch, archive: String) async throws -> String {
    let good = scratch.root + "/good.tar.zst"
    try BundleImportTests.craft(good, in: scratch.files)
    _ = try await BundleImporter(context: scratch.context).importBundle(
      good, options: .init(project: scratch.project, trust: BundleImportTests.trust(good, in: scratch.files)))
    let bad = scratch.root + "/bad.tar.zst"
    let members =
      BundleImportTests.members(for: BundleImportTests.model, project: "version: 1\n# another project\n") + [
        ("runtimes/llama.cpp/" + archive, Data("not an archive".utf8))
      ]
    try BundleImportTests.craft(bad, in: scratch.files, manifest: { $0.engineArchive = "runtimes/llama.cpp/" + archive }, members: members)
    return bad
  }

  @Test func aMemberNamedLikeAKeptFileCannotReachIt() async throws {
    let scratch = try Scratch()
    // The first file an import replaces was kept as `staging/undo-0`, where the engine archive
    // was then renamed to its own name.
    let bad = try await Self.failingImport(scratch, archive: "undo-0")
    let before = scratch.contents
    await #expect(throws: (any Error).self) {
      try await BundleImporter(context: scratch.context).importBundle(
        bad, options: .init(project: scratch.project, force: true, trust: BundleImportTests.trust(bad, in: scratch.files)))
    }
    #expect(scratch.contents == before)
    #expect(scratch.files.contents(scratch.project + "/synapse-local.lock") == Data(BundleImportTests.lock.utf8))
  }

  @Test func aRollbackPutsTheKeptFilesBackByRename() async throws {
    let scratch = try Scratch()
    let bad = try await Self.failingImport(scratch, archive: "llama-own-build.tar.gz")
    let files = [scratch.project + "/synapse-local.yaml", scratch.project + "/synapse-local.lock"]
    let inodes = files.map(scratch.files.identity)
    let before = scratch.contents
    await #expect(throws: (any Error).self) {
      try await BundleImporter(context: scratch.context).importBundle(
        bad, options: .init(project: scratch.project, force: true, trust: BundleImportTests.trust(bad, in: scratch.files)))
    }
    #expect(scratch.contents == before)
    // The very files that were there, not copies of them.
    #expect(files.map(scratch.files.identity) == inodes)
    #expect(scratch.files.list(scratch.root + "/home/staging")?.isEmpty ?? true)
  }

  /// A kept copy that cannot be put back stays where it is, and the rollback says where.
  @Test func aKeptCopyThatCannotBePutBackSurvives() throws {
    let scratch = try Scratch()
    let files = scratch.files
    let folder = scratch.root + "/project"
    try files.createDirectory(folder)
    let file = folder + "/synapse-local.yaml"
    try files.write(Data("only copy".utf8), to: file, permissions: 0o644)
    var undo = BundleUndo(staging: scratch.root + "/staging", files: files)
    try undo.keep(file)
    // The import then fails, and the folder is no longer one: the put-back cannot happen.
    try files.remove(folder)
    try files.write(Data("in the way".utf8), to: folder, permissions: 0o644)
    let stranded = undo.restore()
    #expect(stranded.count == 1)
    #expect(stranded.first.flatMap { files.contents($0) } == Data("only copy".utf8))
    let error = BundleError.rollbackIncomplete(path: "b.tar.zst", kept: stranded, reason: "boom")
    #expect("\(error)".contains(stranded.first ?? "(none)") && !"\(error)".contains("\n"))
  }

  @Test func aDifferentLockIsNotReplacedWithoutForce() async throws {
    let scratch = try Scratch()
    let good = scratch.root + "/good.tar.zst"
    try BundleImportTests.craft(good, in: scratch.files)
    let importer = BundleImporter(context: scratch.context)
    _ = try await importer.importBundle(
      good, options: .init(project: scratch.project, trust: BundleImportTests.trust(good, in: scratch.files)))
    // The same project file, a lock that pins another model.
    let other = Data(BundleImportTests.model.reversed())
    let bundle = scratch.root + "/other.tar.zst"
    try BundleImportTests.craft(
      bundle, in: scratch.files, members: BundleImportTests.members(for: other), lock: BundleImportTests.lock(for: other))
    let before = scratch.contents
    do {
      _ = try await importer.importBundle(
        bundle, options: .init(project: scratch.project, trust: BundleImportTests.trust(bundle, in: scratch.files)))
      Issue.record("the lock was replaced without --force")
    } catch {
      let message = "\(error)"
      #expect(
        message.contains(
          "refused \(bundle): \(scratch.project)/synapse-local.lock exists and pins other files or runtimes than the bundle's lock; pass --force"
        )
          && !message.contains("\n"), "\(message)")
    }
    #expect(scratch.contents == before)
    _ = try await importer.importBundle(
      bundle, options: .init(project: scratch.project, force: true, trust: BundleImportTests.trust(bundle, in: scratch.files)))
    #expect(scratch.files.contents(scratch.project + "/synapse-local.lock") == Data(BundleImportTests.lock(for: other).utf8))
  }
}
