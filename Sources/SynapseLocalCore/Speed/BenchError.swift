public enum BenchError: Error, Equatable, CustomStringConvertible {
  case badRequest(String)
  /// The engine did not start, or did not answer as an engine should.
  case engine(String)

  public var description: String {
    switch self {
    case .badRequest(let message), .engine(let message): message
    }
  }
}
