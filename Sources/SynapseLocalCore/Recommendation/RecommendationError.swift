public enum RecommendationError: Error, Equatable, CustomStringConvertible {
  case nothingFits(String)

  public var description: String {
    switch self {
    case .nothingFits(let detail): detail
    }
  }
}
