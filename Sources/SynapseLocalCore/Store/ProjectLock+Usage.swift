import Foundation
import SynapseLocalSystem

/// Which of the lock's model pins the project still uses: after a swap the old model's stay
/// behind, and a bundle would carry them.
extension ProjectLock {
  /// The lock's model entries that neither the llm nor the embedding model uses, by the one rule
  /// of what a model is (`ModelLocation`): a file REF (a llama.cpp chat model) uses that file, a
  /// repository REF every file of the repository. Empty when a role's model cannot be placed (an
  /// unknown catalog id): nothing is called unused on a guess.
  public func unusedModels(by configuration: ProjectConfiguration, catalog: ModelCatalog) -> [Entry] {
    var used: [ModelLocation.HubFiles] = []
    for (ref, role) in [(configuration.llm.model, ModelRole.llm), (configuration.embedding.model, .embedding)] {
      guard let location = try? ModelLocation.of(ref, role: role, engine: configuration.engine, catalog: catalog) else { return [] }
      if case .hub(let files) = location { used.append(files) }
    }
    return files.filter { entry in
      !used.contains { $0.repository.description == entry.repository && ($0.file == nil || $0.file == entry.path) }
    }
  }

  /// Drops the entries `unusedModels` names, and the selections of the repositories they empty;
  /// returns what was dropped.
  public mutating func pruneModels(unusedBy configuration: ProjectConfiguration, catalog: ModelCatalog) -> [Entry] {
    let unused = unusedModels(by: configuration, catalog: catalog)
    files.removeAll { unused.contains($0) }
    // A selection goes with the last entry of its repository.
    let left = Set(files.map(\.repository))
    let emptied = Set(unused.map(\.repository)).subtracting(left)
    selections.removeAll { emptied.contains($0.repository) }
    return unused
  }
}
