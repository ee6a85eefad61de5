import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Bundles made by hand with the bundle writer: a good one imports (and a second import writes
/// nothing again); each bad one is refused in one line, and the store, the runtime home and the
/// project stay as they were.
@Suite("bundle import: verified or refused")
struct BundleImportTests {
  /// A store, a project, the runtime home and the bundles, in memory; the repository's profiles
  /// and templates at /share; a fixture machine's /proc and /sys (an install reads them).
  struct Scratch {
    let root = "/scratch"
    let files = MemoryFileSystem(roots: ["/scratch", "/share"])
    let system: MemoryFileSystem
    var store: String { root + "/store" }
    var project: String { root + "/project" }
    var context: Context {
      Context.testing(
        system: system,
        environment: [
          "HOME": root, "SYNAPSE_LOCAL_HOME": root + "/home", "HF_HUB_CACHE": store, "HF_HUB_OFFLINE": "1", "PATH": "",
          "SYNAPSE_LOCAL_PROFILES": "/share/profiles", "SYNAPSE_LOCAL_TEMPLATES": "/share/templates",
        ], files: files)
    }

    init() throws {
      system = try Fixtures.machineSystem("laptop-v2")
      try Fixtures.share(into: files, at: "/share")
    }

    /// Every path below the store and the project, with its size: what "unchanged" compares.
    var snapshot: [String: UInt64] {
      var found: [String: UInt64] = [:]
      for base in [store, project, root + "/home/runtimes"] {
        for path in files.walk(base) ?? [] {
          found[base + "/" + path] = files.entry(base + "/" + path)?.size ?? 0
        }
      }
      return found
    }

    /// Every path below the store, the project and the runtime home with its contents' sha256 (a
    /// link: its target): what "byte for byte unchanged" compares.
    var contents: [String: String] {
      var found: [String: String] = [:]
      for base in [store, project, root + "/home/runtimes"] {
        for path in files.walk(base) ?? [] {
          let full = base + "/" + path
          if let target = files.linkTarget(full) {
            found[full] = "-> " + target
          } else {
            let entry = files.entry(full)
            found[full] =
              entry == nil
              ? "missing" : entry?.kind == .folder ? "folder" : (try? Digest.sha256(ofFile: full, files: files)) ?? "unreadable"
          }
        }
      }
      return found
    }
  }

  static let model = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
  static var sha: String { Digest.hex(.sha256, Array(model)) }
  static var blobMember: String { blobMember(for: model) }
  static var lock: String { lock(for: model) }

  static func blobMember(for model: Data) -> String { "models/models--acme--tiny/blobs/\(Digest.hex(.sha256, Array(model)))" }

  /// The lock that pins `model` as acme/tiny's tiny.gguf.
  static func lock(for model: Data) -> String {
    let sha = Digest.hex(.sha256, Array(model))
    return """
      version: 1
      files:
      - repository: acme/tiny
        revision: main
        commit: \(String(repeating: "c", count: 40))
        path: tiny.gguf
        size: \(model.count)
        sha256: \(sha)
        etag: \(sha)
      """
  }

  /// The project members of a bundle carrying `model`, and its blob.
  static func members(for model: Data, project: String = "version: 1\n") -> [(String, Data)] {
    [
      ("project/synapse-local.yaml", Data(project.utf8)), ("project/synapse-local.lock", Data(lock(for: model).utf8)),
      (blobMember(for: model), model),
    ]
  }

  /// A bundle as export writes one, with `change` applied to the manifest and the member list;
  /// signed by `signer` (or carrying `signature` as it is). Returns the manifest's bytes as written
  /// and the file's sha256 as the writer computed it.
  @discardableResult
  static func craft(
    _ path: String, in files: any FileSystem, manifest change: (inout BundleManifest) -> Void = { _ in },
    members: [(String, Data)]? = nil, listed: [(String, Data)]? = nil, early: [(String, Data)] = [("bin/synapse-local", Data("tool".utf8))],
    lock: String = BundleImportTests.lock, signer: BundleSigningKey? = nil, signature: Data? = nil
  ) throws -> (manifest: Data, sha256: String) {
    let data = members ?? Self.members(for: model)
    let entries = (early + (listed ?? data)).map {
      BundleManifest.Member(path: $0.0, size: UInt64($0.1.count), sha256: Digest.hex(.sha256, Array($0.1)))
    }
    var manifest = BundleManifest(
      platform: try Platform.current(), python: nil, toolVersion: "test", lock: lock, engineArchive: nil, members: entries,
      created: .testing)
    if signer != nil || signature != nil { manifest.format = BundleManifest.signedFormat }
    change(&manifest)
    let writer = try BundleArchiveWriter(path: path, files: files)
    for (name, bytes) in early { try writer.add(name, data: bytes) }
    let manifestData = try JSONEncoder().encode(manifest)
    try writer.add(BundleManifest.memberName, data: manifestData)
    if let signer { try writer.add(BundleSignature.memberName, data: try BundleSignature(signing: manifestData, with: signer).encoded()) }
    if let signature { try writer.add(BundleSignature.memberName, data: signature) }
    for (name, bytes) in data { try writer.add(name, data: bytes) }
    return (manifestData, try writer.finish())
  }

  /// The proof an honest user gives: the file's sha256, as export prints it.
  static func trust(_ path: String, in files: any FileSystem) throws -> BundleTrust {
    BundleTrust(sha256: try Digest.sha256(ofFile: path, files: files))
  }

  @Test func aGoodBundleImportsAndASecondImportWritesNothingAgain() async throws {
    let scratch = try Scratch()
    let bundle = scratch.root + "/good.tar.zst"
    let written = try Self.craft(bundle, in: scratch.files)
    // The writer's sha256, computed while it wrote, is the file's.
    #expect(written.sha256 == (try Digest.sha256(ofFile: bundle, files: scratch.files)))
    let importer = BundleImporter(context: scratch.context)
    #expect(try importer.list(bundle).members.map(\.path).contains(Self.blobMember))
    _ = try await importer.verify(bundle)
    let first = try await importer.importBundle(
      bundle, options: .init(project: scratch.project, trust: Self.trust(bundle, in: scratch.files)))
    #expect(first.modelFiles == 1 && first.modelFilesPresent == 0 && first.runtimes.isEmpty)
    let link = scratch.store + "/models--acme--tiny/snapshots/\(String(repeating: "c", count: 40))/tiny.gguf"
    #expect(scratch.files.contents(link) == Self.model)
    #expect(scratch.files.readText(scratch.store + "/models--acme--tiny/refs/main") == String(repeating: "c", count: 40))
    #expect(scratch.files.exists(scratch.project + "/synapse-local.lock"))
    let second = try await importer.importBundle(
      bundle, options: .init(project: scratch.project, trust: Self.trust(bundle, in: scratch.files)))
    #expect(second.modelFilesPresent == 1)
    // verify checks integrity only: a bundle for another platform verifies here.
    let foreign = scratch.root + "/foreign.tar.zst"
    try Self.craft(foreign, in: scratch.files) { $0.platform = .macosArm64 }
    #expect(try await importer.verify(foreign).manifest.platform == .macosArm64)
    // Staging is cleaned up either way.
    #expect(scratch.files.list(scratch.root + "/home/staging")?.isEmpty ?? true)
  }

  /// What a killed import left in staging goes once it is a day old; a running import's stays.
  @Test func staleStagingIsRemoved() throws {
    let scratch = try Scratch()
    let staging = scratch.root + "/home/staging"
    let files = scratch.files
    for name in ["bundle-old", "bundle-new", "llama.cpp-x", "bundle-crashed/data", "bundle-crashed/undo"] {
      try files.createDirectory(staging + "/" + name)
    }
    // A file the crashed import had moved aside: perhaps the only copy.
    try files.write(Data("kept".utf8), to: staging + "/bundle-crashed/undo/0", permissions: 0o644)
    let now = Date.testing
    try files.setModified(now, of: staging + "/bundle-new")
    for name in ["bundle-old", "llama.cpp-x", "bundle-crashed"] {
      try files.setModified(now.addingTimeInterval(-2 * 86_400), of: staging + "/" + name)
    }
    BundleImporter.removeStaleStaging(staging, now: now, files: files)
    #expect(files.list(staging)?.sorted() == ["bundle-crashed", "bundle-new", "llama.cpp-x"])
    #expect(files.list(staging + "/bundle-crashed") == ["undo"])
    #expect(files.contents(staging + "/bundle-crashed/undo/0") == Data("kept".utf8))
  }

  @Test func badBundlesAreRefusedInOneLineAndChangeNothing() async throws {
    let scratch = try Scratch()
    // Something already there, which no refused import may touch.
    let good = scratch.root + "/good.tar.zst"
    try Self.craft(good, in: scratch.files)
    _ = try await BundleImporter(context: scratch.context).importBundle(
      good, options: .init(project: scratch.project, trust: Self.trust(good, in: scratch.files)))
    let before = scratch.snapshot
    let other = Data(Self.model.reversed())

    var cases: [(String, String, () throws -> Void)] = []
    func add(_ name: String, _ expected: String, _ make: @escaping (String) throws -> Void) {
      let path = scratch.root + "/\(name).tar.zst"
      cases.append((path, expected, { try make(path) }))
    }
    add("tampered", "its member \(Self.blobMember) does not match its sha256 in the manifest") { path in
      try Self.craft(
        path, in: scratch.files,
        members: [
          ("project/synapse-local.yaml", Data("version: 1\n".utf8)), ("project/synapse-local.lock", Data(Self.lock.utf8)),
          (Self.blobMember, other),
        ],
        listed: [
          ("project/synapse-local.yaml", Data("version: 1\n".utf8)), ("project/synapse-local.lock", Data(Self.lock.utf8)),
          (Self.blobMember, Self.model),
        ])
    }
    add("unknown", "its member wheelhouse/extra.whl is not in the manifest") { path in
      let members = [
        ("project/synapse-local.yaml", Data("version: 1\n".utf8)), ("project/synapse-local.lock", Data(Self.lock.utf8)),
        (Self.blobMember, Self.model),
      ]
      try Self.craft(path, in: scratch.files, members: members + [("wheelhouse/extra.whl", Data("x".utf8))], listed: members)
    }
    add("hostile", "its member models/../../etc/passwd has an unsafe path") { path in
      try Self.craft(path, in: scratch.files, members: [("models/../../etc/passwd", Data("x".utf8))])
    }
    add(
      "newer", "bundle format \(BundleManifest.currentFormat + 1) is newer than this synapse-local reads (\(BundleManifest.currentFormat))"
    ) { path in
      try Self.craft(path, in: scratch.files) { $0.format = BundleManifest.currentFormat + 1 }
    }
    add("platform", "it is for macos-arm64, this machine is linux-x86_64") { path in
      try Self.craft(path, in: scratch.files) { $0.platform = .macosArm64 }
    }
    add("python", "its wheels are for Python 2.7") { path in try Self.craft(path, in: scratch.files) { $0.python = "2.7" } }
    add("lock", "the manifest's lock disagrees with the files: acme/tiny/tiny.gguf has no member") { path in
      try Self.craft(path, in: scratch.files) {
        $0.lock = Self.lock.replacingOccurrences(of: "etag: \(Self.sha)", with: "etag: \(String(repeating: "0", count: 64))")
      }
    }
    add("tool", "its member bin/synapse-local does not match its sha256 in the manifest") { path in
      try Self.craft(path, in: scratch.files) { $0.members[0].sha256 = String(repeating: "1", count: 64) }
    }
    // Two copies of the tool before the manifest: `tar -k` would extract the first, unchecked one.
    add("twice", "its member bin/synapse-local appears twice") { path in
      try Self.craft(path, in: scratch.files, early: [("bin/synapse-local", Data("evil".utf8)), ("bin/synapse-local", Data("tool".utf8))])
    }
    add("revision", #"pins an unsafe value: revision "../../../../.bashrc" of acme/tiny/tiny.gguf is not a branch"#) { path in
      try Self.craft(path, in: scratch.files) {
        $0.lock = Self.lock.replacingOccurrences(of: "revision: main", with: "revision: ../../../../.bashrc")
      }
    }
    add("path", #"pins an unsafe value: path "../../x" of acme/tiny is not a relative path"#) { path in
      try Self.craft(path, in: scratch.files) { $0.lock = Self.lock.replacingOccurrences(of: "path: tiny.gguf", with: "path: ../../x") }
    }
    add("projectlock", "project/synapse-local.lock differs from the manifest's lock") { path in
      let members = [
        ("project/synapse-local.yaml", Data("version: 1\n".utf8)), ("project/synapse-local.lock", Data("version: 1\nfiles: []\n".utf8)),
        (Self.blobMember, Self.model),
      ]
      try Self.craft(path, in: scratch.files, members: members)
    }
    add("huge", "declares more bytes than any disk holds") { path in
      try Self.craft(path, in: scratch.files) {
        $0.members.append(.init(path: "wheelhouse/a.whl", size: UInt64.max / 2 + 1, sha256: String(repeating: "0", count: 64)))
        $0.members.append(.init(path: "wheelhouse/b.whl", size: UInt64.max / 2 + 1, sha256: String(repeating: "0", count: 64)))
      }
    }
    // Issue 35 (friction): a tar.zst that is no bundle is called that.
    add("nomanifest", "is a zstd tar archive but not a synapse-local bundle: it has no manifest.json") { path in
      let writer = try BundleArchiveWriter(path: path, files: scratch.files)
      try writer.add("notes/readme.txt", data: Data("hello".utf8))
      _ = try writer.finish()
    }
    add("truncated", "truncated") { path in
      try Self.craft(path, in: scratch.files)
      let data = try #require(scratch.files.contents(path))
      try scratch.files.write(data.prefix(data.count / 2), to: path, permissions: 0o644)
    }
    add("flipped", "refused") { path in
      try Self.craft(path, in: scratch.files)
      var data = try #require(scratch.files.contents(path))
      data[data.count * 2 / 3] ^= 0x40
      try scratch.files.write(data, to: path, permissions: 0o644)
    }
    for (path, expected, make) in cases {
      try make()
      do {
        // Each with its own file's sha256: what is refused here is the damage, not the proof.
        _ = try await BundleImporter(context: scratch.context).importBundle(
          path, options: .init(project: scratch.project, force: true, trust: Self.trust(path, in: scratch.files)))
        Issue.record("\(path) was imported")
      } catch {
        let message = "\(error)"
        #expect(message.contains(expected) && !message.contains("\n"), "\(path): \(message)")
      }
      #expect(scratch.snapshot == before, "\(path) changed the store or the project")
    }
  }
}
