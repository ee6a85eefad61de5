/// A setting of every dimension.
public struct TunePoint: Hashable, Sendable, Codable {
  public var values: [String: Int]

  public init(_ values: [String: Int]) {
    self.values = values
  }

  public subscript(key: String) -> Int? { values[key] }

  func with(_ key: String, _ value: Int) -> TunePoint {
    var copy = self
    copy.values[key] = value
    return copy
  }
}
