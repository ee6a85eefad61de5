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
