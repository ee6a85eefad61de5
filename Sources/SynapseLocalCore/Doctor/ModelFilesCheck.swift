import Foundation
import SynapseLocalSystem

/// `models.files`: both models are in the store; the chat model's GGUF header reads; each locked
/// file has the size the lock records. With `--deep` (`models.digest`), every locked file is hashed
/// against the lock.
public struct ModelFilesCheck: DoctorCheck {
  public let id = "models.files"
  public init() {}

  public func run(_ subject: DoctorSubject) async -> DoctorFinding {
    let c = subject.configuration
    let flag = subject.projectFlag
    if let problem = subject.llmProblem {
      return .failure(id, "llm.model \(c.llm.model): \(problem)", fix: "synapse-local pull\(flag)")
    }
    if let problem = subject.embeddingProblem {
      return .failure(id, "embedding.model \(c.embedding.model): \(problem)", fix: "synapse-local pull\(flag)")
    }
    if c.engine == .llamaCpp, let path = subject.llmPath {
      do {
        _ = try GGUFReader.read(path: path, files: subject.context.files)
      } catch {
        return .failure(
          id, "\(path) is not a valid GGUF file (\(error))",
          fix: "synapse-local models rm \(c.llm.model)\(flag), then synapse-local pull\(flag)")
      }
    }
    let files = subject.context.files
    let store = c.storeRoot(project: subject.project, environment: subject.context.environment)
    let entries = subject.currentLockEntries
    for entry in entries {
      guard let id = try? RepositoryID(entry.repository) else { continue }
      let path = HubCache(root: store, files: files).snapshot(id, commit: entry.commit, path: entry.path)
      guard files.exists(path) else {
        return .failure(
          self.id, "\(entry.repository)/\(entry.path), pinned in the lock, is not in the store", fix: "synapse-local pull\(flag)")
      }
      // Snapshot files are links into blobs/: the size is the blob's.
      if let size = files.size(path), size != entry.size {
        return .failure(
          self.id, "\(entry.repository)/\(entry.path) is \(size) bytes, the lock says \(entry.size): the file is damaged or replaced",
          fix: "synapse-local models rm \(entry.repository)\(flag), then synapse-local pull\(flag)")
      }
    }
    return .ok(id, "both models are in the store; \(entries.count) locked file(s) have their recorded sizes")
  }
}

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
