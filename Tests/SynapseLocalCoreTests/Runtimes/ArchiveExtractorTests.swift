import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// Runtime archives through the extractor: release layouts kept whole (links inside included),
/// every kind of hostile member refused by name with nothing left behind. The archives are made by
/// Python's own tarfile and zipfile, as a release or an attacker would make them, in memory; they
/// are extracted in a `MemoryFileSystem`.
@Suite("archive extractor")
struct ArchiveExtractorTests {
  static let maker = #"""
    import base64, io, json, tarfile, zipfile
    made = {}
    def tar(name, members, mode="w:gz"):
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode=mode) as t:
            for info, data in members:
                t.addfile(info, io.BytesIO(data) if data is not None else None)
        made[name] = out.getvalue()
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
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("build/bin/llama-server"); info.external_attr = 0o100755 << 16
        z.writestr(info, server)
        z.writestr("build/bin/libllama.so", b"elf")
    made["release.zip.bin"] = out.getvalue()
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
    made["not-an-archive.tar.gz"] = b"hello, not gzip\n"
    print(json.dumps({name: base64.b64encode(data).decode() for name, data in made.items()}))
    """#

  static let folder = "/archives"

  /// Made once for all the suite's tests, which run in parallel.
  static let made = Task { try await runCommand("/usr/bin/env", ["python3", "-c", maker]) }

  /// A file system holding every archive in `folder`, for one test.
  static func makeArchives() async throws -> MemoryFileSystem {
    let (status, output) = try await made.value
    try #require(status == 0, "python3 could not make the archives: \(output)")
    let encoded = try JSONDecoder().decode([String: String].self, from: Data(output.utf8))
    let files = MemoryFileSystem(roots: [folder])
    for (name, text) in encoded {
      try files.write(try #require(Data(base64Encoded: text)), to: folder + "/" + name, permissions: 0o644)
    }
    return files
  }

  func target() -> String { Self.folder + "/out-\(UUID().uuidString.prefix(8))" }

  @Test(arguments: ["release.tar.gz", "release.tar.xz.bin", "release.zip.bin"])
  func aReleaseArchiveIsExtractedWholeWhateverItsName(_ name: String) async throws {
    let files = try await Self.makeArchives()
    let destination = target()
    let result = try ArchiveExtractor(files: files).extract(Self.folder + "/" + name, into: destination)
    let server = name.hasPrefix("release.zip") ? "/build/bin/llama-server" : "/llama-b1/llama-server"
    #expect(files.isExecutable(destination + server))
    #expect(try #require(files.text(destination + server)).contains("llama-server"))
    if !name.hasPrefix("release.zip") {
      // Links inside the folder are kept as links.
      #expect(files.linkTarget(destination + "/llama-b1/libggml.so") == "libggml.so.0")
      #expect(files.contents(destination + "/llama-b1/libggml-copy.so") == Data("elf".utf8))
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
    let files = try await Self.makeArchives()
    let destination = target()
    let archive = Self.folder + "/" + name
    #expect(throws: ArchiveError.unsafeMember(archive: archive, member: member, reason: reason)) {
      try ArchiveExtractor(files: files).extract(archive, into: destination)
    }
    #expect(!files.exists(destination))
    #expect(!files.exists(Self.folder + "/evil"))
  }

  @Test func anArchiveThatGrowsPastItsLimitIsRefusedAndRemoved() async throws {
    let files = try await Self.makeArchives()
    let archive = Self.folder + "/bomb.tar.gz"
    let destination = target()
    // 8 MiB of zeros compress to a few KiB: far past 50 times the archive's size.
    do {
      _ = try ArchiveExtractor(files: files).extract(archive, into: destination)
      Issue.record("a bomb must be refused")
    } catch let error as ArchiveError {
      guard case .tooLarge = error else { throw error }
      #expect(error.description.contains("refused \(archive): it extracts to more than"))
    }
    #expect(!files.exists(destination))
    // A limit set above it lets it through.
    var generous = ArchiveExtractor(files: files)
    generous.ratioLimit = 100_000
    #expect(try generous.extract(archive, into: destination).bytes == 8 << 20)
  }

  @Test func notAnArchiveAndAnExistingFolderAreOneLineErrors() async throws {
    let files = try await Self.makeArchives()
    let destination = target()
    #expect {
      try ArchiveExtractor(files: files).extract(Self.folder + "/not-an-archive.tar.gz", into: destination)
    } throws: { error in
      "\(error)".hasPrefix("cannot read the archive \(Self.folder)/not-an-archive.tar.gz: ") && !"\(error)".contains("\n")
    }
    #expect(!files.exists(destination))
    #expect(throws: ArchiveError.destinationExists(path: Self.folder)) {
      try ArchiveExtractor(files: files).extract(Self.folder + "/release.tar.gz", into: Self.folder)
    }
  }
}
