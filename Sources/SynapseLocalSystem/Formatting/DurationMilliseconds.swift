extension Duration {
  /// The duration in whole milliseconds (reports and counters give waits this way).
  public var wholeMilliseconds: Int {
    Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
  }
}
