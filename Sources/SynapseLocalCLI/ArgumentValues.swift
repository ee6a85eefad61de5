import ArgumentParser
import SynapseLocalCore
import SynapseLocalSystem

// The Core enumerations a flag takes by their raw values (`--engine vllm`, `--mode production`).
extension AppMode: ExpressibleByArgument {}
extension Engine: ExpressibleByArgument {}
extension ModelRole: ExpressibleByArgument {}
extension Platform: ExpressibleByArgument {}
extension Preference: ExpressibleByArgument {}
extension ServiceName: ExpressibleByArgument {}

// A model REF is parsed where it is typed; a malformed one is a usage error naming it.
extension ModelReference {
  /// For `@Argument(transform:)`: the usage error then says what is wrong with the REF.
  static func argument(_ text: String) throws -> ModelReference {
    try ModelReference(parsing: text)
  }
}
