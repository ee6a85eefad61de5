import Foundation
import SynapseLocalSystem

/// `models verify`: re-hashes every blob a snapshot uses and compares it with its name (SHA-256
/// for LFS files, the git blob SHA-1 for small ones), so a blob altered on disk is caught.
public struct ModelVerifier: Sendable {
  public enum Status: String, Codable, Sendable {
    case ok
    case mismatch
    case missing
    /// The blob's name is neither a SHA-256 nor a git SHA-1, so there is nothing to compare with.
    case unverifiable
  }

  public struct Check: Codable, Sendable, Equatable {
    public var repository: String
    public var commit: String
    public var path: String
    public var expected: String
    public var actual: String?
    public var status: Status
  }

  public var cache: HubCache
  public var progress: (@Sendable (String) -> Void)?

  public init(cache: HubCache, progress: (@Sendable (String) -> Void)? = nil) {
    self.cache = cache
    self.progress = progress
  }

  public func verify(_ repositories: [HubCache.Repository]) throws -> [Check] {
    var checks: [Check] = []
    for repository in repositories {
      var hashed: [String: (Status, String?)] = [:]  // each blob once, however many snapshots use it
      for snapshot in repository.snapshots {
        for file in snapshot.files {
          progress?("\(repository.repository)/\(file.path)")
          let outcome = try hashed[file.blob] ?? check(blob: repository.folder + "/blobs/" + file.blob, name: file.blob)
          hashed[file.blob] = outcome
          checks.append(
            Check(
              repository: repository.repository, commit: snapshot.commit, path: file.path, expected: file.blob, actual: outcome.1,
              status: outcome.0))
        }
      }
    }
    return checks
  }

  func check(blob path: String, name: String) throws -> (Status, String?) {
    guard cache.files.exists(path) else { return (.missing, nil) }
    let isHex = name.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    let actual: String
    switch (isHex, name.count) {
    case (true, 64): actual = try Digest.sha256(ofFile: path, files: cache.files)
    case (true, 40): actual = try Digest.gitBlobSHA1(ofFile: path, files: cache.files)
    default: return (.unverifiable, nil)
    }
    return (actual == name ? .ok : .mismatch, actual)
  }
}
