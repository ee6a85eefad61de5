import Foundation
import SynapseLocalSystem

/// Where a model's files come from, for the role it plays and the engine that loads it: the one
/// rule behind `pull`, `up`, `swap`, `models verify|rm`, `inspect` and the resolver.
///
/// - llama.cpp's llm: the GGUF file (a catalog entry's, or the file a REF names);
/// - vLLM's llm: the safetensors repository (`FileSelection.transformers`);
/// - an embedding model: its sentence-transformers folder (`FileSelection.sentenceTransformers`);
/// - no role (a REF pulled on its own): the file it names, else the repository as it is
///   (`FileSelection.automatic`);
/// - `--include`/`--exclude` replace the rule for a whole repository.
public enum ModelLocation: Sendable, Equatable {
  case local(path: String)
  case hub(HubFiles)

  public struct HubFiles: Sendable, Equatable {
    public var repository: RepositoryID
    /// The revision asked for: the REF's, else the catalog's pin, else `main`.
    public var revision: String
    public var selection: FileSelection
    /// The file's SHA-256 when the catalog knows it: a copy in the store is found by it, whatever
    /// snapshot an import put it in.
    public var sha256: String?

    public init(repository: RepositoryID, revision: String, selection: FileSelection, sha256: String? = nil) {
      self.repository = repository
      self.revision = revision
      self.selection = selection
      self.sha256 = sha256
    }

    /// The patterns the lock keeps for this repository replace the role's rule: a later pull (and
    /// the resolver) sees the set the first pull fetched.
    public func keeping(_ lock: ProjectLock?) -> HubFiles {
      guard file == nil, let patterns = lock?.patterns(for: repository.description) else { return self }
      var kept = self
      kept.selection = .patterns(patterns)
      return kept
    }

    /// The one file, when the selection is a file.
    public var file: String? {
      if case .file(let path) = selection { return path }
      return nil
    }
  }

  public static func of(
    _ ref: ModelReference, role: ModelRole?, engine: Engine, catalog: ModelCatalog, patterns: FilePatterns? = nil
  ) throws -> ModelLocation {
    switch ref {
    case .local(let path):
      return .local(path: path)
    case .hub(let repository, .some(let path), let revision):
      if let patterns, !patterns.isEmpty {
        throw StoreError.unusableReference("'\(ref)' names one file; --include and --exclude apply to a whole repository (ORG/REPO)")
      }
      return .hub(HubFiles(repository: try RepositoryID(repository), revision: revision ?? "main", selection: .file(path)))
    case .hub(let repository, nil, let revision):
      let id = try RepositoryID(repository)
      if let patterns, !patterns.isEmpty {
        return .hub(HubFiles(repository: id, revision: revision ?? "main", selection: .patterns(patterns)))
      }
      let selection: FileSelection
      switch (role, engine) {
      case (.embedding?, _): selection = .sentenceTransformers
      case (.llm?, .vllm): selection = .transformers
      case (.llm?, .llamaCpp):
        throw StoreError.unusableReference(
          "'\(ref)' is a whole repository, and llama.cpp loads one GGUF file: name it, as \(repository)/FILE.gguf")
      case (nil, _): selection = .automatic
      }
      return .hub(HubFiles(repository: id, revision: revision ?? "main", selection: selection))
    case .catalog(let id, let revision):
      let model = try role.map { try catalog.model(id: id, role: $0) } ?? catalog.model(id: id)
      if model.role == .llm, engine == .llamaCpp, let gguf = model.gguf {
        return .hub(
          HubFiles(
            repository: try RepositoryID(gguf.repository), revision: revision ?? gguf.revision ?? "main", selection: .file(gguf.file),
            sha256: gguf.sha256))
      }
      guard let repository = model.repository(for: engine) ?? model.repository else {
        throw StoreError.unusableReference("catalog model \(id) names no repository for \(engine.rawValue)")
      }
      let selection: FileSelection =
        if let patterns, !patterns.isEmpty { .patterns(patterns) } else { model.role == .embedding ? .sentenceTransformers : .transformers }
      return .hub(HubFiles(repository: try RepositoryID(repository), revision: revision ?? "main", selection: selection))
    }
  }
}
