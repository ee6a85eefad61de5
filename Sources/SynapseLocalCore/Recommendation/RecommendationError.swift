import SynapseLocalSystem

public enum RecommendationError: Error, Equatable, CustomStringConvertible {
  case nothingFits(String)
  /// A flag's value makes no sense; the message names the flag and what it takes.
  case badRequest(String)

  public var description: String {
    switch self {
    case .nothingFits(let detail): detail
    case .badRequest(let detail): detail
    }
  }
}
