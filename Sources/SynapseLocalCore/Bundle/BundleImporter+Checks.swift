import Foundation
import SynapseLocalSystem
import Yams

/// What the importer checks before it trusts a bundle: the manifest's signature, the manifest
/// (format, platform, Python, sizes, member names), the lock against the model members, and the
/// free space.
extension BundleImporter {
  /// Enough free space for what will be written: every member but the model files the store holds
  /// already (known by size here; their digests are checked as they stream).
  func checkSpace(_ manifest: BundleManifest, store: String, staging: String, file: String) throws {
    let needed = manifest.members.filter { member in
      !(member.path.hasPrefix("models/") && context.files.size(store + "/" + member.path.dropFirst("models/".count)) == member.size)
    }.reduce(UInt64(0)) { $0 + $1.size }
    if let free = context.files.freeBytes(at: staging), free < needed {
      throw BundleError.unwritable(
        path: staging,
        reason:
          "the import needs \(ByteCount.format(needed)) there and \(ByteCount.format(free)) is free; free some space, or set SYNAPSE_LOCAL_HOME to a larger disk"
      )
    }
  }

  /// A member name must stay below the bundle's own folders.
  static func checkName(_ name: String, file: String) throws {
    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
    guard !name.hasPrefix("/"), !parts.contains(".."), !parts.contains(""), !name.isEmpty else {
      throw BundleError.tampered(path: file, member: name, reason: "has an unsafe path")
    }
    let roots = [
      "bin", "share", "project", "app", "npm-cache", "models", "runtimes", "wheelhouse", BundleManifest.memberName,
      BundleSignature.memberName,
    ]
    guard let first = parts.first, roots.contains(String(first)) else { throw BundleError.unknownMember(path: file, member: name) }
  }

  func readManifest(
    _ file: String, member: BundleArchiveReader.Member, stream: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
  ) throws -> BundleManifest {
    try decodeManifest(readManifestBytes(file, member: member, stream: stream), file: file)
  }

  /// The manifest's bytes exactly as stored: what a signature covers.
  func readManifestBytes(
    _ file: String, member: BundleArchiveReader.Member, stream: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
  ) throws -> Data {
    guard member.size < 64 << 20 else { throw BundleError.tampered(path: file, member: member.name, reason: "is too large for a manifest") }
    var data = Data()
    try stream { data.append(contentsOf: $0) }
    return data
  }

  /// The manifest, once `trustedKey` (if any) is shown to have signed these very bytes; a signed
  /// format must carry its signature, an unsigned one none.
  func authenticatedManifest(_ data: Data, signature: Data?, file: String, trust: BundleTrust, trustedKey: BundleSigningKey?) throws
    -> BundleManifest
  {
    if let trustedKey {
      let keyFile = trust.trustedKey ?? trustedKey.fingerprint
      guard let signature else { throw BundleError.unsigned(path: file, key: keyFile) }
      guard let parsed = try? JSONDecoder().decode(BundleSignature.self, from: signature) else {
        throw BundleError.badSignature(path: file, key: keyFile, reason: "cannot be read")
      }
      if let reason = parsed.refusal(of: data, trusted: trustedKey) {
        throw BundleError.badSignature(path: file, key: keyFile, reason: reason)
      }
    }
    let manifest = try decodeManifest(data, file: file)
    if manifest.isSigned, signature == nil {
      throw BundleError.tampered(
        path: file, member: BundleManifest.memberName,
        reason: "is of a signed format (\(manifest.format)) but no \(BundleSignature.memberName) follows it")
    }
    if !manifest.isSigned, signature != nil {
      throw BundleError.tampered(
        path: file, member: BundleSignature.memberName, reason: "follows a manifest of an unsigned format (\(manifest.format))")
    }
    return manifest
  }

  /// What proved the bundle authentic, as the result says it.
  static func authentication(_ trust: BundleTrust, trustedKey: BundleSigningKey?) -> String? {
    let proofs = [trust.sha256.map { _ in "sha256" }, trustedKey.map { "signature by \($0.fingerprint.prefix(16))" }].compactMap { $0 }
    return proofs.isEmpty ? nil : proofs.joined(separator: " and ")
  }

  /// Whether two locks pin the same files, selections and runtimes, whatever their order and
  /// comments (an import's own runtime installs rewrite the lock it wrote).
  static func sameLock(_ one: Data, _ other: Data) -> Bool {
    func canonical(_ data: Data) -> ProjectLock? {
      guard var lock = try? YAMLDecoder().decode(ProjectLock.self, from: String(decoding: data, as: UTF8.self)) else { return nil }
      lock.files.sort { ($0.repository, $0.path) < ($1.repository, $1.path) }
      lock.selections.sort { $0.repository < $1.repository }
      lock.runtimes.sort { ($0.id, $0.platform) < ($1.id, $1.platform) }
      return lock
    }
    guard let first = canonical(one), let second = canonical(other) else { return one == other }
    return first == second
  }

  func decodeManifest(_ data: Data, file: String) throws -> BundleManifest {
    do {
      // A newer format is named as such even when its fields are unknown.
      if let object = try JSONSerialization.jsonObject(with: data) as? [String: Any], let format = object["format"] as? Int,
        format > BundleManifest.currentFormat
      {
        throw BundleError.newerFormat(path: file, format: format)
      }
      return try JSONDecoder().decode(BundleManifest.self, from: data)
    } catch let error as BundleError {
      throw error
    } catch {
      throw BundleError.tampered(path: file, member: BundleManifest.memberName, reason: "is not a manifest this tool reads")
    }
  }

  func check(_ manifest: BundleManifest, file: String, pythonHere: String?, target: Bool) throws {
    guard manifest.format <= BundleManifest.currentFormat else { throw BundleError.newerFormat(path: file, format: manifest.format) }
    var total: UInt64 = 0
    for member in manifest.members {
      let (sum, overflow) = total.addingReportingOverflow(member.size)
      guard !overflow, sum < 1 << 50 else {
        throw BundleError.tampered(path: file, member: BundleManifest.memberName, reason: "declares more bytes than any disk holds")
      }
      total = sum
    }
    // `bundle verify` checks integrity only: a bundle for another machine verifies here too.
    guard target else { return }
    let here = try Platform.current()
    guard manifest.platform == here else {
      throw BundleError.wrongPlatform(path: file, bundle: manifest.platform.rawValue, here: here.rawValue)
    }
    if let python = manifest.python, python != (pythonHere ?? "none") {
      throw BundleError.wrongPython(path: file, bundle: python, here: pythonHere ?? "none (no python3 on PATH)")
    }
  }

  /// The lock in the manifest must name exactly the model members the manifest lists, with the
  /// same sizes and digests.
  func checkLock(_ manifest: BundleManifest, file: String) throws -> ProjectLock {
    let lock: ProjectLock
    do {
      lock = try YAMLDecoder().decode(ProjectLock.self, from: manifest.lock)
    } catch {
      let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "not YAML"
      throw BundleError.lockDisagrees(path: file, reason: "the lock cannot be read (\(first))")
    }
    // Every value that becomes part of a path in the store or the runtime home, as any lock is checked.
    if let refused = lock.unsafeValue {
      throw BundleError.tampered(path: file, member: BundleManifest.memberName, reason: "pins an unsafe value: \(refused)")
    }
    var expected: Set<String> = []
    for entry in lock.files {
      let name = "models/" + HubCache.relativeBlob(try RepositoryID(entry.repository), etag: entry.etag)
      expected.insert(name)
      guard let member = manifest.members.first(where: { $0.path == name }) else {
        throw BundleError.lockDisagrees(path: file, reason: "\(entry.repository)/\(entry.path) has no member \(name)")
      }
      guard member.size == entry.size, entry.sha256 == nil || entry.sha256 == member.sha256 else {
        throw BundleError.lockDisagrees(
          path: file, reason: "\(entry.repository)/\(entry.path) is pinned at another size or digest than \(name)")
      }
    }
    if let extra = manifest.members.first(where: { $0.path.hasPrefix("models/") && !expected.contains($0.path) }) {
      throw BundleError.lockDisagrees(path: file, reason: "\(extra.path) is not pinned by the lock")
    }
    return lock
  }
}
