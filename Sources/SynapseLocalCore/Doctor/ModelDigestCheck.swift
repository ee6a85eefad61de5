import Foundation
import SynapseLocalSystem

/// `models.digest` (`--deep`): every locked file hashed against the lock's digest.
public struct ModelDigestCheck: DoctorCheck {
  public let id = "models.digest"
  public let deep = true
  public init() {}

  /// The locked files whose content does not match the lock.
  public static func damaged(_ subject: DoctorSubject) throws -> [ProjectLock.Entry] {
    let entries = subject.currentLockEntries
    let cache = HubCache(
      root: subject.configuration.storeRoot(project: subject.project, environment: subject.context.environment),
      files: subject.context.files)
    let repositories = Set(entries.map(\.repository)).compactMap { name in
      (try? RepositoryID(name)).flatMap { try? cache.repository($0) }
    }
    let bad = Set(
      try ModelVerifier(cache: cache).verify(repositories).filter { $0.status != .ok }.map { "\($0.repository)/\($0.path)@\($0.commit)" })
    return entries.filter { bad.contains("\($0.repository)/\($0.path)@\($0.commit)") }
  }

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let entries = subject.currentLockEntries
    guard !entries.isEmpty else { return .skipped(id, "no lock file pins the project's models") }
    let cache = HubCache(
      root: subject.configuration.storeRoot(project: subject.project, environment: subject.context.environment),
      files: subject.context.files)
    let names = Set(entries.map(\.repository))
    let repositories = names.compactMap { name in (try? RepositoryID(name)).flatMap { try? cache.repository($0) } }
    let checks: [ModelVerifier.Check]
    do {
      checks = try ModelVerifier(cache: cache).verify(repositories)
    } catch {
      return .failure(id, "the store could not be read: \(error)", fix: nil)
    }
    let locked = Set(entries.map { "\($0.repository)/\($0.path)@\($0.commit)" })
    let bad = checks.filter { locked.contains("\($0.repository)/\($0.path)@\($0.commit)") && $0.status != .ok }
    if let first = bad.first {
      return .failure(
        id,
        "\(first.repository)/\(first.path) does not match the lock's digest (expected \(first.expected.prefix(12))…, found \(first.actual.map { String($0.prefix(12)) + "…" } ?? first.status.rawValue))"
          + (bad.count > 1 ? " and \(bad.count - 1) more" : ""),
        fix:
          "synapse-local doctor --deep --fix\(subject.projectFlag) fetches it again from its recorded source, or: synapse-local models rm \(first.repository)\(subject.projectFlag) && synapse-local pull\(subject.projectFlag)"
      )
    }
    return .ok(
      id, "\(checks.filter { locked.contains("\($0.repository)/\($0.path)@\($0.commit)") }.count) locked file(s) match their digests")
  }
}
