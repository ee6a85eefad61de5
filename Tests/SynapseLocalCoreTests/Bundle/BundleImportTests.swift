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
  struct Scratch {
    let root = NSTemporaryDirectory() + "bundle-\(UUID().uuidString.prefix(8))"
    var store: String { root + "/store" }
    var project: String { root + "/project" }
    var context: Context {
      Context.live(environment: [
        "HOME": root, "SYNAPSE_LOCAL_HOME": root + "/home", "HF_HUB_CACHE": store, "HF_HUB_OFFLINE": "1",
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
      ])
    }

    init() throws { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) }

    /// Every path below the store and the project, with its size: what "unchanged" compares.
    var snapshot: [String: UInt64] {
      var found: [String: UInt64] = [:]
      for base in [store, project, root + "/home/runtimes"] {
        for case let path as String in FileManager.default.enumerator(atPath: base)?.allObjects ?? [] {
          found[base + "/" + path] = (try? FileManager.default.attributesOfItem(atPath: base + "/" + path)[.size] as? UInt64) ?? 0
        }
      }
      return found
    }

    /// Every path below the store, the project and the runtime home with its contents' sha256 (a
    /// link: its target): what "byte for byte unchanged" compares.
    var contents: [String: String] {
      var found: [String: String] = [:]
      for base in [store, project, root + "/home/runtimes"] {
        for case let path as String in FileManager.default.enumerator(atPath: base)?.allObjects ?? [] {
          let full = base + "/" + path
          if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: full) {
            found[full] = "-> " + target
          } else {
            var folder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: full, isDirectory: &folder)
            found[full] =
              !exists
              ? "missing" : folder.boolValue ? "folder" : (try? Digest.sha256(ofFile: full, files: RootedFileSystem())) ?? "unreadable"
          }
        }
      }
      return found
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
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
    _ path: String, manifest change: (inout BundleManifest) -> Void = { _ in },
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
    let writer = try BundleArchiveWriter(path: path, files: RootedFileSystem())
    for (name, bytes) in early { try writer.add(name, data: bytes) }
    let manifestData = try JSONEncoder().encode(manifest)
    try writer.add(BundleManifest.memberName, data: manifestData)
    if let signer { try writer.add(BundleSignature.memberName, data: try BundleSignature(signing: manifestData, with: signer).encoded()) }
    if let signature { try writer.add(BundleSignature.memberName, data: signature) }
    for (name, bytes) in data { try writer.add(name, data: bytes) }
    return (manifestData, try writer.finish())
  }

  /// The proof an honest user gives: the file's sha256, as export prints it.
  static func trust(_ path: String) throws -> BundleTrust {
    BundleTrust(sha256: try Digest.sha256(ofFile: path, files: RootedFileSystem()))
  }

  @Test func aGoodBundleImportsAndASecondImportWritesNothingAgain() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let bundle = scratch.root + "/good.tar.zst"
    let written = try Self.craft(bundle)
    // The writer's sha256, computed while it wrote, is the file's.
    #expect(written.sha256 == (try Digest.sha256(ofFile: bundle, files: RootedFileSystem())))
    let importer = BundleImporter(context: scratch.context)
    #expect(try importer.list(bundle).members.map(\.path).contains(Self.blobMember))
    _ = try await importer.verify(bundle)
    let first = try await importer.importBundle(bundle, options: .init(project: scratch.project, trust: Self.trust(bundle)))
    #expect(first.modelFiles == 1 && first.modelFilesPresent == 0 && first.runtimes.isEmpty)
    let link = scratch.store + "/models--acme--tiny/snapshots/\(String(repeating: "c", count: 40))/tiny.gguf"
    #expect(FileManager.default.contents(atPath: link) == Self.model)
    #expect(
      try String(contentsOfFile: scratch.store + "/models--acme--tiny/refs/main", encoding: .utf8) == String(repeating: "c", count: 40))
    #expect(FileManager.default.fileExists(atPath: scratch.project + "/synapse-local.lock"))
    let second = try await importer.importBundle(bundle, options: .init(project: scratch.project, trust: Self.trust(bundle)))
    #expect(second.modelFilesPresent == 1)
    // verify checks integrity only: a bundle for another platform verifies here.
    let foreign = scratch.root + "/foreign.tar.zst"
    try Self.craft(foreign) { $0.platform = .macosArm64 }
    #expect(try await importer.verify(foreign).manifest.platform == .macosArm64)
    // Staging is cleaned up either way.
    #expect((try? FileManager.default.contentsOfDirectory(atPath: scratch.root + "/home/staging"))?.isEmpty ?? true)
  }

  /// What a killed import left in staging goes once it is a day old; a running import's stays.
  @Test func staleStagingIsRemoved() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let staging = scratch.root + "/home/staging"
    for name in ["bundle-old", "bundle-new", "llama.cpp-x", "bundle-crashed/data", "bundle-crashed/undo"] {
      try FileManager.default.createDirectory(atPath: staging + "/" + name, withIntermediateDirectories: true)
    }
    // A file the crashed import had moved aside: perhaps the only copy.
    try Data("kept".utf8).write(to: URL(fileURLWithPath: staging + "/bundle-crashed/undo/0"))
    let old = Date().addingTimeInterval(-2 * 86_400)
    for name in ["bundle-old", "llama.cpp-x", "bundle-crashed"] {
      try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: staging + "/" + name)
    }
    BundleImporter.removeStaleStaging(staging, now: Date(), files: RootedFileSystem())
    #expect(try FileManager.default.contentsOfDirectory(atPath: staging).sorted() == ["bundle-crashed", "bundle-new", "llama.cpp-x"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: staging + "/bundle-crashed") == ["undo"])
    #expect(FileManager.default.contents(atPath: staging + "/bundle-crashed/undo/0") == Data("kept".utf8))
  }

  @Test func badBundlesAreRefusedInOneLineAndChangeNothing() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    // Something already there, which no refused import may touch.
    let good = scratch.root + "/good.tar.zst"
    try Self.craft(good)
    _ = try await BundleImporter(context: scratch.context).importBundle(
      good, options: .init(project: scratch.project, trust: Self.trust(good)))
    let before = scratch.snapshot
    let other = Data(Self.model.reversed())

    var cases: [(String, String, () throws -> Void)] = []
    func add(_ name: String, _ expected: String, _ make: @escaping (String) throws -> Void) {
      let path = scratch.root + "/\(name).tar.zst"
      cases.append((path, expected, { try make(path) }))
    }
    add("tampered", "its member \(Self.blobMember) does not match its sha256 in the manifest") { path in
      try Self.craft(
        path,
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
      try Self.craft(path, members: members + [("wheelhouse/extra.whl", Data("x".utf8))], listed: members)
    }
    add("hostile", "its member models/../../etc/passwd has an unsafe path") { path in
      try Self.craft(path, members: [("models/../../etc/passwd", Data("x".utf8))])
    }
    add(
      "newer", "bundle format \(BundleManifest.currentFormat + 1) is newer than this synapse-local reads (\(BundleManifest.currentFormat))"
    ) { path in
      try Self.craft(path) { $0.format = BundleManifest.currentFormat + 1 }
    }
    add("platform", "it is for macos-arm64, this machine is linux-x86_64") { path in try Self.craft(path) { $0.platform = .macosArm64 } }
    add("python", "its wheels are for Python 2.7") { path in try Self.craft(path) { $0.python = "2.7" } }
    add("lock", "the manifest's lock disagrees with the files: acme/tiny/tiny.gguf has no member") { path in
      try Self.craft(path) {
        $0.lock = Self.lock.replacingOccurrences(of: "etag: \(Self.sha)", with: "etag: \(String(repeating: "0", count: 64))")
      }
    }
    add("tool", "its member bin/synapse-local does not match its sha256 in the manifest") { path in
      try Self.craft(path) { $0.members[0].sha256 = String(repeating: "1", count: 64) }
    }
    // Two copies of the tool before the manifest: `tar -k` would extract the first, unchecked one.
    add("twice", "its member bin/synapse-local appears twice") { path in
      try Self.craft(path, early: [("bin/synapse-local", Data("evil".utf8)), ("bin/synapse-local", Data("tool".utf8))])
    }
    add("revision", #"pins an unsafe value: revision "../../../../.bashrc" of acme/tiny/tiny.gguf is not a branch"#) { path in
      try Self.craft(path) { $0.lock = Self.lock.replacingOccurrences(of: "revision: main", with: "revision: ../../../../.bashrc") }
    }
    add("path", #"pins an unsafe value: path "../../x" of acme/tiny is not a relative path"#) { path in
      try Self.craft(path) { $0.lock = Self.lock.replacingOccurrences(of: "path: tiny.gguf", with: "path: ../../x") }
    }
    add("projectlock", "project/synapse-local.lock differs from the manifest's lock") { path in
      let members = [
        ("project/synapse-local.yaml", Data("version: 1\n".utf8)), ("project/synapse-local.lock", Data("version: 1\nfiles: []\n".utf8)),
        (Self.blobMember, Self.model),
      ]
      try Self.craft(path, members: members)
    }
    add("huge", "declares more bytes than any disk holds") { path in
      try Self.craft(path) {
        $0.members.append(.init(path: "wheelhouse/a.whl", size: UInt64.max / 2 + 1, sha256: String(repeating: "0", count: 64)))
        $0.members.append(.init(path: "wheelhouse/b.whl", size: UInt64.max / 2 + 1, sha256: String(repeating: "0", count: 64)))
      }
    }
    // Issue 35 (friction): a tar.zst that is no bundle is called that.
    add("nomanifest", "is a zstd tar archive but not a synapse-local bundle: it has no manifest.json") { path in
      let writer = try BundleArchiveWriter(path: path, files: RootedFileSystem())
      try writer.add("notes/readme.txt", data: Data("hello".utf8))
      _ = try writer.finish()
    }
    add("truncated", "truncated") { path in
      try Self.craft(path)
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
    }
    add("flipped", "refused") { path in
      try Self.craft(path)
      var data = try Data(contentsOf: URL(fileURLWithPath: path))
      data[data.count * 2 / 3] ^= 0x40
      try data.write(to: URL(fileURLWithPath: path))
    }
    for (path, expected, make) in cases {
      try make()
      do {
        // Each with its own file's sha256: what is refused here is the damage, not the proof.
        _ = try await BundleImporter(context: scratch.context).importBundle(
          path, options: .init(project: scratch.project, force: true, trust: Self.trust(path)))
        Issue.record("\(path) was imported")
      } catch {
        let message = "\(error)"
        #expect(message.contains(expected) && !message.contains("\n"), "\(path): \(message)")
      }
      #expect(scratch.snapshot == before, "\(path) changed the store or the project")
    }
  }
}
