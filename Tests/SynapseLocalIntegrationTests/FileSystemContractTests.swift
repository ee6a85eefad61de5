import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The rules the store, the runtimes and bundles rely on, checked on the real file system and on the
/// in-memory one the unit tests use, so the fake cannot drift from the disk.
@Suite("the file system contract")
struct FileSystemContractTests {
  static func systems() -> [(String, any FileSystem, String)] {
    let folder = NSTemporaryDirectory() + "fs-contract-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return [("disk", RootedFileSystem(root: "/"), folder), ("memory", MemoryFileSystem(roots: ["/t"]), "/t")]
  }

  @Test func aMoveReplacesAFileAndALinkIsReplacedAtomically() throws {
    for (name, files, root) in Self.systems() {
      try files.createDirectory(root + "/a")
      try files.write("old", to: root + "/a/target")
      try files.write("new", to: root + "/a/source")
      try files.move(root + "/a/source", to: root + "/a/target")
      #expect(files.readText(root + "/a/target") == "new", "\(name)")
      #expect(!files.exists(root + "/a/source"), "\(name)")
      try files.createLink(root + "/a/link", to: "target")
      try files.createLink(root + "/a/link", to: "other")
      #expect(files.linkTarget(root + "/a/link") == "other", "\(name)")
      #expect(files.entry(root + "/a/link")?.kind == .link, "\(name)")
      #expect(
        files.entry(root + "/a/target")
          == FileEntry(
            kind: .file, size: 3, permissions: 0o644, modified: files.entry(root + "/a/target")!.modified,
            owner: FileOwner(user: geteuid(), group: getegid())), "\(name)")
      #expect(files.entry(root + "/a/missing") == nil, "\(name)")
      #expect(Set(files.walk(root) ?? []) == ["a", "a/target", "a/link"], "\(name)")
    }
  }

  @Test func placingWithoutReplacingRefusesAnExistingFile() throws {
    for (name, files, root) in Self.systems() {
      try files.write("key", to: root + "/staged")
      try files.placeWithoutReplacing(root + "/staged", at: root + "/key")
      #expect(files.readText(root + "/key") == "key", "\(name)")
      #expect(throws: FileSystemError.self, "\(name)") { try files.placeWithoutReplacing(root + "/staged", at: root + "/key") }
    }
  }

  @Test func anOpenFileResumesWritesAtItsLengthAndTruncates() throws {
    for (name, files, root) in Self.systems() {
      let path = root + "/partial"
      let first = try files.open(path, .update)
      try first.write(Data("hello ".utf8))
      first.close()
      let second = try files.open(path, .update)
      try second.seek(to: try second.length())
      try second.write(Data("world".utf8))
      try second.sync()
      #expect(try second.length() == 11, "\(name)")
      try second.seek(to: 6)
      #expect(try second.read(upTo: 100) == Data("world".utf8), "\(name)")
      #expect(try second.read(upTo: 100).isEmpty, "\(name)")
      try second.truncate(to: 5)
      second.close()
      #expect(files.readText(path) == "hello", "\(name)")
      #expect(throws: FileSystemError.self, "\(name)") { try files.open(path, .createNew) }
      #expect(throws: FileSystemError.self, "\(name)") { try files.open(root + "/none", .read) }
      let fresh = try files.open(root + "/secret", .createNew, permissions: 0o600)
      fresh.close()
      #expect(files.entry(root + "/secret")?.permissions == 0o600, "\(name)")
    }
  }

  /// Writeback is a hint: started and waited for on ranges written, past the end or twice, it
  /// neither fails nor changes a byte, and the file then reads back and syncs as written.
  @Test func writebackLeavesTheBytesAsWritten() throws {
    for (name, files, root) in Self.systems() {
      let path = root + "/download"
      let file = try files.open(path, .update)
      let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0) })
      try file.write(bytes)
      file.startWriteback(offset: 0, length: 200_000)
      file.startWriteback(offset: 200_000, length: 500_000)
      file.awaitWriteback(offset: 0, length: 200_000)
      file.awaitWriteback(offset: 0, length: 200_000)
      try file.sync()
      file.close()
      #expect(files.contents(path) == bytes, "\(name)")
    }
  }

  @Test func aLockIsExclusiveUntilReleased() throws {
    for (name, files, root) in Self.systems() {
      let held = try #require(try files.tryLock(root + "/blob.lock"), "\(name)")
      #expect(try files.tryLock(root + "/blob.lock") == nil, "\(name)")
      held.release()
      let again = try files.tryLock(root + "/blob.lock")
      #expect(again != nil, "\(name)")
      again?.release()
    }
  }

  /// The store reads a snapshot's files through their links to blobs/, and removes whole folders.
  @Test func readsFollowLinksAndARemovedFolderTakesItsLinks() throws {
    for (name, files, root) in Self.systems() {
      try files.createDirectory(root + "/repo/blobs")
      try files.write("blob", to: root + "/repo/blobs/abc")
      try files.createDirectory(root + "/repo/snapshots/c1")
      try files.createLink(root + "/repo/snapshots/c1/file", to: "../../blobs/abc")
      try files.createLink(root + "/repo/snapshots/c1/broken", to: "../../blobs/none")
      #expect(files.readText(root + "/repo/snapshots/c1/file") == "blob", "\(name)")
      #expect(files.size(root + "/repo/snapshots/c1/file") == 4, "\(name)")
      #expect(files.exists(root + "/repo/snapshots/c1/file"), "\(name)")
      #expect(!files.exists(root + "/repo/snapshots/c1/broken"), "\(name)")
      #expect(files.entry(root + "/repo/snapshots/c1/broken")?.kind == .link, "\(name)")
      try files.remove(root + "/repo/snapshots")
      #expect(!files.exists(root + "/repo/snapshots"), "\(name)")
      #expect(files.list(root + "/repo") == ["blobs"], "\(name)")
    }
  }

  /// The GGUF reader and the database's folders: a file read through a link, what a path leads to,
  /// a folder's exact mode, and an owner set on the thing itself.
  @Test func anOpenFileAndAResolvedEntryFollowLinksAndOwnersAreSet() throws {
    for (name, files, root) in Self.systems() {
      try files.createDirectory(root + "/blobs")
      try files.write("header", to: root + "/blobs/abc")
      try files.createLink(root + "/model.gguf", to: "blobs/abc")
      let file = try files.open(root + "/model.gguf", .read)
      try file.seek(to: 2)
      #expect(try file.read(upTo: 3) == Data("ade".utf8), "\(name)")
      file.close()
      #expect(files.resolvedEntry(root + "/model.gguf")?.kind == .file, "\(name)")
      #expect(files.resolvedEntry(root + "/model.gguf")?.size == 6, "\(name)")
      #expect(files.entry(root + "/model.gguf")?.kind == .link, "\(name)")
      #expect(files.resolvedEntry(root + "/none") == nil, "\(name)")

      try files.createDirectory(root + "/pg/db", permissions: 0o700)
      #expect(files.entry(root + "/pg")?.permissions == 0o700, "\(name)")
      #expect(files.entry(root + "/pg/db")?.permissions == 0o700, "\(name)")
      try files.createDirectory(root + "/pg", permissions: 0o755)
      #expect(files.entry(root + "/pg")?.permissions == 0o700, "\(name): a folder already there keeps its mode")
      try files.setPermissions(0o711, of: root + "/pg")
      #expect(files.entry(root + "/pg")?.permissions == 0o711, "\(name)")

      // Giving a file to oneself is always allowed; to another user only as root.
      let me = FileOwner(user: geteuid(), group: getegid())
      try files.setOwner(me, of: root + "/pg/db")
      #expect(files.entry(root + "/pg/db")?.owner == me, "\(name)")
      if geteuid() == 0 {
        let nobody = FileOwner(user: 65534, group: 65534)
        try files.setOwner(nobody, of: root + "/model.gguf")
        #expect(files.entry(root + "/model.gguf")?.owner == nobody, "\(name): the link itself")
        #expect(files.entry(root + "/blobs/abc")?.owner == me, "\(name): not what it points to")
      }
      #expect(throws: FileSystemError.self, "\(name)") { try files.setOwner(me, of: root + "/none") }
    }
  }

  @Test func aFolderIsCopiedWithItsLinksAndMeasured() throws {
    for (name, files, root) in Self.systems() {
      try files.createDirectory(root + "/tree/bin")
      try files.write("12345", to: root + "/tree/bin/tool", permissions: 0o755)
      try files.createLink(root + "/tree/current", to: "bin/tool")
      try files.copy(root + "/tree", to: root + "/copy")
      #expect(files.readText(root + "/copy/bin/tool") == "12345", "\(name)")
      #expect(files.linkTarget(root + "/copy/current") == "bin/tool", "\(name)")
      #expect(files.entry(root + "/copy/bin/tool")?.isExecutableFile == true, "\(name)")
      #expect(files.treeSize(root + "/copy") == 5, "\(name)")
      let day = Date(timeIntervalSince1970: 1_700_000_000)
      try files.setModified(day, of: root + "/copy/bin/tool")
      #expect(files.entry(root + "/copy/bin/tool")?.modified == day, "\(name)")
    }
  }

  /// Which file a path holds: an inode number on disk, `MemoryFileSystem.identity` in memory.
  static func identity(_ files: any FileSystem, _ path: String) throws -> UInt64? {
    if let memory = files as? MemoryFileSystem { return memory.identity(path).map(UInt64.init) }
    return try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64
  }

  /// A bundle's rollback puts back the very file it moved aside: a move and a hard link keep the
  /// file, a copy or a write makes another.
  @Test func aMoveKeepsTheFileAndACopyOrAWriteMakesAnother() throws {
    for (name, files, root) in Self.systems() {
      try files.write("one", to: root + "/first")
      let first = try Self.identity(files, root + "/first")
      try files.move(root + "/first", to: root + "/moved")
      #expect(try Self.identity(files, root + "/moved") == first, "\(name)")
      try files.placeWithoutReplacing(root + "/moved", at: root + "/linked")
      #expect(try Self.identity(files, root + "/linked") == first, "\(name)")
      try files.copy(root + "/moved", to: root + "/copied")
      #expect(try Self.identity(files, root + "/copied") != first, "\(name)")
      try files.write("two", to: root + "/moved")
      #expect(try Self.identity(files, root + "/moved") != first, "\(name)")
    }
  }

  /// Folders take the mode they are created with, each one created, and a later change of mode.
  @Test func aFolderKeepsItsMode() throws {
    for (name, files, root) in Self.systems() {
      try files.createDirectory(root + "/state/inner", permissions: 0o711)
      #expect(files.entry(root + "/state")?.permissions == 0o711, "\(name)")
      #expect(files.entry(root + "/state/inner")?.permissions == 0o711, "\(name)")
      try files.setPermissions(0o700, of: root + "/state/inner")
      #expect(files.entry(root + "/state/inner")?.permissions == 0o700, "\(name)")
      try files.move(root + "/state", to: root + "/moved")
      #expect(files.entry(root + "/moved/inner")?.permissions == 0o700, "\(name)")
    }
  }

  /// A kept copy cannot be put back into a folder that has become a file.
  @Test func aMoveBelowAFileFails() throws {
    for (name, files, root) in Self.systems() {
      try files.write("kept", to: root + "/kept")
      try files.write("in the way", to: root + "/folder")
      #expect(throws: (any Error).self, "\(name)") { try files.move(root + "/kept", to: root + "/folder/file") }
      #expect(files.readText(root + "/kept") == "kept", "\(name)")
    }
  }
}
