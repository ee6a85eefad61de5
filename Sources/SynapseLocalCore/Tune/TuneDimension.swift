/// One flag `tune` varies, with the values worth trying, in the order they are tried.
public struct TuneDimension: Sendable, Equatable {
  public var key: String
  public var values: [Int]
  /// The value the search starts from (the project's).
  public var start: Int

  public init(key: String, values: [Int], start: Int) {
    self.key = key
    self.values = values
    self.start = start
  }
}
