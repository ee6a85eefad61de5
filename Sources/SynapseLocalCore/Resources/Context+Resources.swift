import Foundation
import SynapseLocalSystem

extension Context {
  /// Where `profiles/` and `templates/` are.
  public var resources: ResourceLocator { .live(environment: environment, files: files) }
}
