import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// A bundle rewritten consistently (another blob under its own name, the lock and the manifest
/// rewritten to match) passes every integrity check; only the file's sha256 from the export or a
/// signature by a trusted key tells it from the one exported. Each refusal is one line and writes
/// nothing.
@Suite("bundle import: authenticated or refused")
struct BundleTrustTests {
  typealias Scratch = BundleImportTests.Scratch
  static let otherModel = Data(BundleImportTests.model.reversed())

  /// The exported bundle (signed by `team`) and a consistently tampered copy of it.
  struct Pair {
    let original: String
    let originalSHA256: String
    let originalManifest: Data
    let team: BundleSigningKey
    let teamPublicKey: String
  }

  static func pair(_ scratch: Scratch) throws -> Pair {
    let team = try BundleSigningKey.generate()
    let teamPublicKey = scratch.root + "/team.pub"
    try scratch.files.write(team.publicPEM(), to: teamPublicKey, permissions: 0o644)
    let original = scratch.root + "/original.tar.zst"
    let written = try BundleImportTests.craft(original, in: scratch.files, signer: team)
    return Pair(
      original: original, originalSHA256: written.sha256, originalManifest: written.manifest, team: team, teamPublicKey: teamPublicKey)
  }

  /// Another model, its blob named by its digest, the lock and the manifest rewritten to match.
  static func tampered(_ path: String, in files: any FileSystem, signer: BundleSigningKey? = nil, signature: Data? = nil) throws {
    try BundleImportTests.craft(
      path, in: files, members: BundleImportTests.members(for: otherModel), lock: BundleImportTests.lock(for: otherModel), signer: signer,
      signature: signature)
  }

  @Test func aConsistentlyTamperedBundleIsRefusedWithoutTheRightProof() async throws {
    let scratch = try Scratch()
    let pair = try Self.pair(scratch)
    // What is already there, which no refused import may touch.
    _ = try await BundleImporter(context: scratch.context).importBundle(
      pair.original, options: .init(project: scratch.project, trust: BundleTrust(sha256: pair.originalSHA256)))
    let before = scratch.contents

    let stranger = try BundleSigningKey.generate()
    let unsigned = scratch.root + "/unsigned.tar.zst"
    try Self.tampered(unsigned, in: scratch.files)
    let bySomeoneElse = scratch.root + "/stranger.tar.zst"
    try Self.tampered(bySomeoneElse, in: scratch.files, signer: stranger)
    // The team's real signature of the original manifest, kept over a rewritten one.
    let keptSignature = scratch.root + "/kept-signature.tar.zst"
    try Self.tampered(
      keptSignature, in: scratch.files, signature: try BundleSignature(signing: pair.originalManifest, with: pair.team).encoded())
    // It is intact: integrity alone cannot tell.
    #expect(try await BundleImporter(context: scratch.context).verify(unsigned).authenticatedBy == nil)

    let cases: [(String, BundleTrust, String)] = [
      (
        unsigned, BundleTrust(),
        "nothing proves it is the bundle that was exported; pass --sha256 HEX (printed by bundle export) or --trust PUBKEY"
      ),
      (
        unsigned, BundleTrust(sha256: pair.originalSHA256),
        "its sha256 is \(try Digest.sha256(ofFile: unsigned, files: scratch.files)), not \(pair.originalSHA256)"
      ),
      (bySomeoneElse, BundleTrust(sha256: pair.originalSHA256), "its sha256 is"),
      (unsigned, BundleTrust(trustedKey: pair.teamPublicKey), "it is not signed, and --trust \(pair.teamPublicKey) asks for a signature"),
      (
        bySomeoneElse, BundleTrust(trustedKey: pair.teamPublicKey),
        "signature is by the key \(stranger.fingerprint.prefix(16)), not the trusted key \(pair.team.fingerprint.prefix(16))"
      ),
      (keptSignature, BundleTrust(trustedKey: pair.teamPublicKey), "its manifest's signature does not match the manifest"),
      (keptSignature, BundleTrust(sha256: pair.originalSHA256, trustedKey: pair.teamPublicKey), "its manifest's signature does not match"),
    ]
    for (path, trust, expected) in cases {
      do {
        _ = try await BundleImporter(context: scratch.context).importBundle(
          path, options: .init(project: scratch.project, force: true, trust: trust))
        Issue.record("\(path) was imported with \(trust)")
      } catch {
        let message = "\(error)"
        #expect(message.contains("refused \(path)") && message.contains(expected) && !message.contains("\n"), "\(message)")
      }
      #expect(scratch.contents == before, "\(path) changed the store, the project or the runtime home")
      do {
        _ = try await BundleImporter(context: scratch.context).verify(path, trust: trust)
        if trust.checksAuthenticity { Issue.record("\(path) verified with \(trust)") }
      } catch {
        #expect("\(error)".contains(expected), "verify: \(error)")
      }
    }
    // Bytes after the archive that the reader passes over (a zstd skippable frame) are part of
    // the file: the digest covers them.
    let appended = scratch.root + "/appended.tar.zst"
    var data = try #require(scratch.files.contents(pair.original))
    data.append(contentsOf: [0x50, 0x2A, 0x4D, 0x18, 0x00, 0x10, 0x00, 0x00] + [UInt8](repeating: 7, count: 4096))
    try scratch.files.write(data, to: appended, permissions: 0o644)
    await #expect(
      throws: BundleError.digestMismatch(
        path: appended, expected: pair.originalSHA256, actual: try Digest.sha256(ofFile: appended, files: scratch.files))
    ) {
      try await BundleImporter(context: scratch.context).verify(appended, trust: BundleTrust(sha256: pair.originalSHA256))
    }
    // Issue 35 (friction): the digest given may itself be the wrong one.
    let mismatch = BundleError.digestMismatch(path: appended, expected: pair.originalSHA256, actual: "0").description
    #expect(mismatch.contains("or the digest given is itself wrong (check where it came from") && !mismatch.contains("\n"))
    #expect(scratch.contents == before)
    // A second archive appended to a signed bundle (which `tar -i` would extract): its members are
    // read past the first end-of-archive blocks, and refused, though the signature still holds.
    // The second archive is one GNU tar made (`tar --zstd -cf` of models/planted, "planted").
    try Fixtures.copy("Tests/Fixtures/bundles", into: scratch.files, at: scratch.root + "/fixtures")
    let concatenated = scratch.root + "/concatenated.tar.zst"
    var joined = try #require(scratch.files.contents(pair.original))
    joined.append(try #require(scratch.files.contents(scratch.root + "/fixtures/appended-archive.tar.zst")))
    try scratch.files.write(joined, to: concatenated, permissions: 0o644)
    await #expect(throws: BundleError.unknownMember(path: concatenated, member: "models/planted")) {
      try await BundleImporter(context: scratch.context).verify(concatenated, trust: BundleTrust(trustedKey: pair.teamPublicKey))
    }
    #expect(scratch.contents == before)
  }

  @Test func theRightSHA256OrSignatureIsAccepted() async throws {
    let scratch = try Scratch()
    let pair = try Self.pair(scratch)
    let importer = BundleImporter(context: scratch.context)
    let bySHA = try await importer.importBundle(
      pair.original, options: .init(project: scratch.project, trust: BundleTrust(sha256: pair.originalSHA256.uppercased())))
    #expect(bySHA.authenticatedBy == "sha256" && bySHA.modelFiles == 1)
    let bySignature = try await importer.importBundle(
      pair.original, options: .init(project: scratch.root + "/second", trust: BundleTrust(trustedKey: pair.teamPublicKey)))
    #expect(bySignature.authenticatedBy == "signature by \(pair.team.fingerprint.prefix(16))")
    #expect(scratch.files.contents(scratch.root + "/second/synapse-local.lock") == Data(BundleImportTests.lock.utf8))
    let verified = try await importer.verify(pair.original, trust: BundleTrust(sha256: pair.originalSHA256, trustedKey: pair.teamPublicKey))
    #expect(verified.authenticatedBy == "sha256 and signature by \(pair.team.fingerprint.prefix(16))")
    // Accepting the risk is a choice, and the result says so.
    let skipped = try await importer.importBundle(
      pair.original, options: .init(project: scratch.root + "/third", trust: BundleTrust(insecureSkipVerify: true)))
    #expect(skipped.authenticatedBy == "nothing (--insecure-skip-verify)")
  }

  /// `bundle verify --json`: the counts, and how far the bundle is trusted (null: integrity only).
  @Test func verifysReportSaysHowTheBundleWasAuthenticated() async throws {
    let scratch = try Scratch()
    let pair = try Self.pair(scratch)
    let importer = BundleImporter(context: scratch.context)
    for (trust, expected) in [
      (BundleTrust(), nil), (BundleTrust(trustedKey: pair.teamPublicKey), "signature by \(pair.team.fingerprint.prefix(16))"),
    ] {
      let report = BundleVerifyReport(bundle: pair.original, verification: try await importer.verify(pair.original, trust: trust))
      let object = try #require(try JSONSerialization.jsonObject(with: try JSONDocument.encode(report)) as? [String: Any])
      #expect(object["members"] as? Int == 6 && object["signed"] as? Bool == true && object["format"] as? Int == 2, "\(object)")
      let written = try JSONDecoder().decode(BundleManifest.self, from: pair.originalManifest)
      #expect(object["total_bytes"] as? Int == written.members.reduce(0) { $0 + Int($1.size) } && written.members.count == 4)
      #expect(object.keys.contains("authenticated_by") && object["authenticated_by"] as? String == expected, "\(object)")
    }
  }

  /// A signed format must carry its signature; an unsigned one carries none.
  @Test func theSignatureMemberMatchesTheFormat() async throws {
    let scratch = try Scratch()
    let stripped = scratch.root + "/stripped.tar.zst"
    try BundleImportTests.craft(stripped, in: scratch.files) { $0.format = BundleManifest.signedFormat }
    await #expect(throws: BundleError.self) {
      try await BundleImporter(context: scratch.context).verify(stripped)
    }
    do {
      _ = try await BundleImporter(context: scratch.context).verify(stripped)
    } catch {
      #expect("\(error)".contains("but no manifest.json.sig follows it"))
    }
  }

  /// The manifest's digest never outranks a pin: an archive engines.yaml or the lock knows by name
  /// is checked against the pin (no digest given), only a custom build on the manifest's word.
  @Test func theManifestDigestIsTrustedOnlyForAnArchiveNoPinKnows() throws {
    let scratch = try Scratch()
    let importer = BundleImporter(context: scratch.context)
    let digest = String(repeating: "d", count: 64)
    let platform = try Platform.current()
    var lock = ProjectLock()
    // The repository's engines.yaml, as the scratch context finds it.
    let shipped = try EngineReleases.load("/share/profiles/engines.yaml", files: scratch.files)
    let official = try #require(shipped.asset(for: .linuxX64, variant: "cpu")).name
    #expect(try importer.digestToTrust(digest, archive: official, lock: lock, platform: platform) == nil)
    #expect(try importer.digestToTrust(digest, archive: "llama-own-build.tar.gz", lock: lock, platform: platform) == digest)
    lock.record(
      .init(id: "llama.cpp", platform: platform.rawValue, version: "b1", variant: "cpu", asset: "llama-own-build.tar.gz", sha256: "e"))
    #expect(try importer.digestToTrust(digest, archive: "llama-own-build.tar.gz", lock: lock, platform: platform) == nil)
  }

  @Test func keygenWritesAPrivateKeyOnlyItsOwnerReadsAndNeverOverwritesOne() throws {
    let scratch = try Scratch()
    let generator = BundleKeyGenerator(context: scratch.context)
    let folder = scratch.root + "/keys"
    let first = try generator.generate(in: folder, force: false)
    let mode = scratch.files.entry(first.privateKey)?.permissions
    #expect(mode == 0o600)
    let signer = try BundleSigningKey.load(privateKeyFile: first.privateKey, files: scratch.context.files)
    let checker = try BundleSigningKey.load(publicKeyFile: first.publicKey, files: scratch.context.files)
    #expect(checker.fingerprint == first.fingerprint && signer.fingerprint == first.fingerprint)
    let message = Data("manifest".utf8)
    let signature = try signer.sign(message)
    #expect(checker.verify(signature, of: message) && !checker.verify(signature, of: Data("manifest!".utf8)))
    // A public key cannot sign; a private key is not a --trust key.
    #expect(throws: BundleError.self) { try checker.sign(message) }
    #expect(throws: BundleError.self) { try BundleSigningKey.load(publicKeyFile: first.privateKey, files: scratch.context.files) }

    let before = try #require(scratch.files.contents(first.privateKey))
    #expect(throws: BundleError.keyExists(path: first.privateKey)) { try generator.generate(in: folder, force: false) }
    #expect(scratch.files.contents(first.privateKey) == before)
    let replaced = try generator.generate(in: folder, force: true)
    #expect(replaced.fingerprint != first.fingerprint)
    #expect(scratch.files.list(folder)?.sorted() == ["bundle-signing.key", "bundle-signing.pub"])
  }
}
