import ArgumentParser
import SynapseLocalCore
import SynapseLocalSystem

/// `swap`'s SERVICE. Every service name parses, so `swap db` is refused in our own words
/// (`validate`), but the help lists only the two that have models to swap.
struct SwapService: ExpressibleByArgument {
  var name: ServiceName

  init?(argument: String) {
    guard let name = ServiceName(rawValue: argument) else { return nil }
    self.name = name
  }

  static var allValueStrings: [String] { [ServiceName.llm, .embedding].map(\.rawValue) }
}
