import Foundation
import SynapseLocalCore
import SynapseLocalTesting
import Testing

/// Runtime archives through the extractor: release layouts kept whole (links inside included),
/// every kind of hostile member refused by name with nothing left behind. The archives are made by
/// Python's own tarfile and zipfile, as a release or an attacker would make them.
@Suite("archive extractor")
struct ArchiveExtractorTests {
  static let maker = #"""
    import io, os, sys, tarfile, zipfile
    out = sys.argv[1]
    def tar(name, members, mode="w:gz"):
        with tarfile.open(os.path.join(out, name), mode) as t:
            for info, data in members:
                t.addfile(info, io.BytesIO(data) if data is not None else None)
    def file(path, data=b"x", mode=0o644):
        i = tarfile.TarInfo(path); i.size = len(data); i.mode = mode; return (i, data)
    def kind(path, type, link="", mode=0o644):
        i = tarfile.TarInfo(path); i.type = type; i.linkname = link; i.mode = mode; return (i, None)
    server = b"#!/bin/sh\necho llama-server\n"
    good = [kind("llama-b1/", tarfile.DIRTYPE, mode=0o755), file("llama-b1/llama-server", server, 0o755),
            file("llama-b1/libggml.so.0", b"elf"), kind("llama-b1/libggml.so", tarfile.SYMTYPE, "libggml.so.0"),
            kind("llama-b1/libggml-copy.so", tarfile.LNKTYPE, "llama-b1/libggml.so.0")]
    tar("release.tar.gz", good)
    tar("release.tar.xz.bin", good, "w:xz")
    with zipfile.ZipFile(os.path.join(out, "release.zip.bin"), "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("build/bin/llama-server"); info.external_attr = 0o100755 << 16
        z.writestr(info, server)
        z.writestr("build/bin/libllama.so", b"elf")
    tar("absolute.tar.gz", [file("/etc/evil")])
    tar("dotdot.tar.gz", [file("llama-b1/../../evil")])
    tar("symlink-out.tar.gz", [kind("llama-b1/", tarfile.DIRTYPE, mode=0o755), kind("llama-b1/lib", tarfile.SYMTYPE, "../../etc")])
    tar("symlink-absolute.tar.gz", [kind("lib", tarfile.SYMTYPE, "/etc/passwd")])
    tar("hardlink-out.tar.gz", [kind("evil", tarfile.LNKTYPE, "../etc/passwd")])
    # Each link stays inside on paper; followed through the first, the second leaves the folder.
    tar("link-chain.tar.gz", [kind("b", tarfile.SYMTYPE, "."), kind("e", tarfile.SYMTYPE, "b/b/b/../../../etc")])
    tar("link-chain-later.tar.gz", [kind("e", tarfile.SYMTYPE, "d/x/../../etc"), kind("d/", tarfile.DIRTYPE, mode=0o755),
                                    kind("d/x", tarfile.SYMTYPE, "..")])
    tar("below-a-link.tar.gz", [kind("up", tarfile.SYMTYPE, "."), file("up/llama-server", server, 0o755)])
    tar("hardlink-through-link.tar.gz", [kind("b", tarfile.SYMTYPE, "."), file("f", b"x"), kind("h", tarfile.LNKTYPE, "b/f")])
    tar("device.tar.gz", [kind("null", tarfile.CHRTYPE)])
    tar("fifo.tar.gz", [kind("pipe", tarfile.FIFOTYPE)])
    tar("setuid.tar.gz", [file("llama-server", server, 0o4755)])
    tar("bomb.tar.gz", [file("zeros", b"\0" * (8 << 20))])
    with open(os.path.join(out, "not-an-archive.tar.gz"), "wb") as f: f.write(b"hello, not gzip\n")
    """#

  static let folder: String = {
    let folder = NSTemporaryDirectory() + "archives-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
  }()

  /// Made once for all the suite's tests, which run in parallel.
  static let made = Task { try await runCommand("/usr/bin/env", ["python3", "-c", maker, folder]) }

  static func makeArchives() async throws {
    let (status, output) = try await made.value
    try #require(status == 0, "python3 could not make the archives: \(output)")
  }

  func target() -> String { Self.folder + "/out-\(UUID().uuidString.prefix(8))" }

  @Test(arguments: ["release.tar.gz", "release.tar.xz.bin", "release.zip.bin"])
  func aReleaseArchiveIsExtractedWholeWhateverItsName(_ name: String) async throws {
    try await Self.makeArchives()
    let destination = target()
    let result = try ArchiveExtractor().extract(Self.folder + "/" + name, into: destination)
    let server = name.hasPrefix("release.zip") ? "/build/bin/llama-server" : "/llama-b1/llama-server"
    #expect(FileManager.default.isExecutableFile(atPath: destination + server))
    #expect(try String(contentsOfFile: destination + server, encoding: .utf8).contains("llama-server"))
    if !name.hasPrefix("release.zip") {
      // Links inside the folder are kept as links.
      #expect(try FileManager.default.destinationOfSymbolicLink(atPath: destination + "/llama-b1/libggml.so") == "libggml.so.0")
      #expect(FileManager.default.contents(atPath: destination + "/llama-b1/libggml-copy.so") == Data("elf".utf8))
    }
    #expect(result.files >= 2 && result.bytes > 0)
  }

  @Test(arguments: [
    ("absolute.tar.gz", "/etc/evil", "has an absolute path"),
    ("dotdot.tar.gz", "llama-b1/../../evil", "has a '..' component"),
    ("symlink-out.tar.gz", "llama-b1/lib", "is a link to ../../etc, outside the install folder"),
    ("symlink-absolute.tar.gz", "lib", "is a link to /etc/passwd, outside the install folder"),
    ("hardlink-out.tar.gz", "evil", "is a hard link to ../etc/passwd, outside the install folder"),
    ("link-chain.tar.gz", "e", "is a link to b/b/b/../../../etc, through the link b"),
    ("link-chain-later.tar.gz", "e", "is a link to d/x/../../etc, through the link d/x"),
    ("below-a-link.tar.gz", "up/llama-server", "lies below the link up"),
    ("hardlink-through-link.tar.gz", "h", "is a hard link to b/f, which the archive does not hold before it"),
    ("device.tar.gz", "null", "is a device node"),
    ("fifo.tar.gz", "pipe", "is a FIFO"),
    ("setuid.tar.gz", "llama-server", "is setuid or setgid"),
  ])
  func aHostileMemberIsRefusedByNameAndNothingIsWritten(_ name: String, _ member: String, _ reason: String) async throws {
    try await Self.makeArchives()
    let destination = target()
    let archive = Self.folder + "/" + name
    #expect(throws: ArchiveError.unsafeMember(archive: archive, member: member, reason: reason)) {
      try ArchiveExtractor().extract(archive, into: destination)
    }
    #expect(!FileManager.default.fileExists(atPath: destination))
    #expect(!FileManager.default.fileExists(atPath: Self.folder + "/evil"))
  }

  @Test func anArchiveThatGrowsPastItsLimitIsRefusedAndRemoved() async throws {
    try await Self.makeArchives()
    let archive = Self.folder + "/bomb.tar.gz"
    let destination = target()
    // 8 MiB of zeros compress to a few KiB: far past 50 times the archive's size.
    do {
      _ = try ArchiveExtractor().extract(archive, into: destination)
      Issue.record("a bomb must be refused")
    } catch let error as ArchiveError {
      guard case .tooLarge = error else { throw error }
      #expect(error.description.contains("refused \(archive): it extracts to more than"))
    }
    #expect(!FileManager.default.fileExists(atPath: destination))
    // A limit set above it lets it through.
    var generous = ArchiveExtractor()
    generous.ratioLimit = 100_000
    #expect(try generous.extract(archive, into: destination).bytes == 8 << 20)
  }

  @Test func notAnArchiveAndAnExistingFolderAreOneLineErrors() async throws {
    try await Self.makeArchives()
    let destination = target()
    #expect {
      try ArchiveExtractor().extract(Self.folder + "/not-an-archive.tar.gz", into: destination)
    } throws: { error in
      "\(error)".hasPrefix("cannot read the archive \(Self.folder)/not-an-archive.tar.gz: ") && !"\(error)".contains("\n")
    }
    #expect(!FileManager.default.fileExists(atPath: destination))
    #expect(throws: ArchiveError.destinationExists(path: Self.folder)) {
      try ArchiveExtractor().extract(Self.folder + "/release.tar.gz", into: Self.folder)
    }
  }
}
