import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The store's local operations (import, list, verify, rm) on small files in an in-memory cache.
/// Expected digests come from `sha256sum`, `sha1sum` and `git hash-object`, not from our code.
@Suite("Model store")
struct ModelStoreTests {
  let base = "/work"
  let files = MemoryFileSystem(roots: ["/work"])
  var cache: HubCache { HubCache(root: base + "/hub", files: files) }

  func makeModelFolder() throws -> String {
    let folder = base + "/model"
    try files.createDirectory(folder + "/sub")
    try files.write("hello\n", to: folder + "/a.txt")
    try files.write("model", to: folder + "/sub/b.bin")
    return folder
  }

  @Test func digestsMatchTheStandardTools() throws {
    #expect(Digest.hex(.sha256, Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let folder = try makeModelFolder()
    #expect(
      try Digest.sha256(ofFile: folder + "/a.txt", files: files) == "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
    #expect(try Digest.gitBlobSHA1(ofFile: folder + "/a.txt", files: files) == "ce013625030ba8dba906f756967f9e9ca394464a")
  }

  @Test func importWritesTheHubLayout() throws {
    let folder = try makeModelFolder()
    let repository = try RepositoryID("acme/tiny")
    let result = try ModelImporter(cache: cache).importModel(from: folder, as: repository)
    // sha1 of "a.txt\t<sha256>\nsub/b.bin\t<sha256>\n", computed with sha1sum.
    #expect(result.commit == "eb1bca43e34a4cf3bc3adbe6250bdbf58c14cc73")
    let root = cache.folder(repository)
    #expect(root.hasSuffix("/models--acme--tiny"))
    #expect(files.readText(root + "/refs/main") == result.commit)
    let link = files.linkTarget(root + "/snapshots/\(result.commit)/sub/b.bin")
    #expect(link == "../../../blobs/9372c470eeadd5ecd9c3c74c2b3cb633f8e2f2fad799250a0f70d652b6b825e4")
    #expect(files.readText(root + "/snapshots/\(result.commit)/a.txt") == "hello\n")
    // No temporary files are left in blobs/.
    let blobs = try #require(files.list(root + "/blobs"))
    #expect(blobs.count == 2 && blobs.allSatisfy { $0.count == 64 })

    // Importing again changes nothing and copies nothing.
    let again = try ModelImporter(cache: cache).importModel(from: folder, as: repository)
    #expect(again.commit == result.commit)
    #expect(again.files.allSatisfy { !$0.copied })

    let listed = try cache.repositories()
    #expect(listed.map(\.repository) == ["acme/tiny"])
    #expect(listed[0].snapshots[0].refs == ["main"])
    #expect(listed[0].snapshots[0].files.map(\.path) == ["a.txt", "sub/b.bin"])
    #expect(listed[0].sizeBytes == 11)
  }

  @Test func verifyCatchesAnAlteredBlob() throws {
    let folder = try makeModelFolder()
    let repository = try RepositoryID("acme/tiny")
    _ = try ModelImporter(cache: cache).importModel(from: folder, as: repository)
    let clean = try ModelVerifier(cache: cache).verify(cache.repositories())
    #expect(clean.count == 2 && clean.allSatisfy { $0.status == .ok })

    let blob = cache.folder(repository) + "/blobs/9372c470eeadd5ecd9c3c74c2b3cb633f8e2f2fad799250a0f70d652b6b825e4"
    try files.write("MODEL", to: blob)
    let checks = try ModelVerifier(cache: cache).verify(cache.repositories())
    let bad = checks.filter { $0.status == .mismatch }
    #expect(bad.map(\.path) == ["sub/b.bin"])
    #expect(bad.first?.actual == Digest.hex(.sha256, Array("MODEL".utf8)))

    try files.remove(blob)
    #expect(try ModelVerifier(cache: cache).verify(cache.repositories()).contains { $0.status == .missing })
  }

  @Test func removeKeepsBlobsAnotherSnapshotUses() throws {
    let folder = try makeModelFolder()
    let repository = try RepositoryID("acme/tiny")
    let first = try ModelImporter(cache: cache).importModel(from: folder, as: repository, revision: "v1")
    try files.write("changed\n", to: folder + "/a.txt")
    let second = try ModelImporter(cache: cache).importModel(from: folder, as: repository, revision: "v2")
    #expect(first.commit != second.commit)

    let removed = try ModelRemover(cache: cache).remove(repository, revision: "v1")
    #expect(removed.removedSnapshots == [first.commit])
    #expect(removed.removedBlobs == 1)  // the old a.txt; sub/b.bin is still used by v2
    #expect(removed.freedBytes == 6)
    #expect(cache.readRefs(repository) == ["v2": second.commit])
    #expect(try ModelVerifier(cache: cache).verify(cache.repositories()).allSatisfy { $0.status == .ok })

    _ = try ModelRemover(cache: cache).remove(repository)
    #expect(!files.exists(cache.folder(repository)))
    #expect(throws: StoreError.notInStore("acme/tiny")) { try ModelRemover(cache: cache).remove(repository) }
  }

  @Test func badNamesAndSourcesAreRefused() throws {
    let folder = try makeModelFolder()
    #expect(throws: StoreError.self) { try RepositoryID("acme") }
    #expect(throws: StoreError.self) { try RepositoryID("acme/../x") }
    #expect(throws: StoreError.self) { try RepositoryID("acme/tiny--x") }
    let importer = ModelImporter(cache: cache)
    let repository = try RepositoryID("acme/tiny")
    #expect(throws: StoreError.badPathInRepository("../escape.bin")) {
      try importer.importModel(from: folder + "/a.txt", as: repository, pathInRepository: "../escape.bin")
    }
    #expect(throws: StoreError.badPathInRepository("/etc/passwd")) {
      try importer.importModel(from: folder + "/a.txt", as: repository, pathInRepository: "/etc/passwd")
    }
    #expect(throws: StoreError.importSourceMissing(base + "/nothing")) {
      try importer.importModel(from: base + "/nothing", as: repository)
    }
    #expect(!files.exists(cache.folder(repository) + "/snapshots"))
  }

  @Test func cacheFolderNamesRoundTrip() throws {
    #expect(RepositoryID(cacheFolderName: "models--BAAI--bge-small-en-v1.5")?.description == "BAAI/bge-small-en-v1.5")
    #expect(RepositoryID(cacheFolderName: "datasets--x--y") == nil)
    #expect(RepositoryID(cacheFolderName: ".locks") == nil)
  }
}
