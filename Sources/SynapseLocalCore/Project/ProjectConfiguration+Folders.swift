import Foundation
import SynapseLocalSystem

extension ProjectConfiguration {
  /// The model store's folder, absolute: `paths.store` (relative to the project), else the
  /// Hugging Face cache the environment names.
  public func storeRoot(project: String, environment: [String: String]) -> String {
    paths.store.isEmpty
      ? AbsolutePath.resolve(
        HubCacheLocation.path(environment: environment), relativeTo: AbsolutePath.currentDirectory, environment: environment)
      : AbsolutePath.resolve(paths.store, relativeTo: project, environment: environment)
  }

  /// The state folder, absolute.
  public func stateFolder(project: String, environment: [String: String]) -> String {
    AbsolutePath.resolve(paths.state, relativeTo: project, environment: environment)
  }
}
