/// Says nothing (a service used where no one is listening, such as the supervisor's own swap).
public struct SilentOutput: OutputSink {
  public init() {}
  public func line(_ text: String) {}
  public func info(_ text: String) {}
  public func warning(_ text: String) {}
  public func progress(_ item: String, done: UInt64, total: UInt64) {}
  public func stdout(_ text: String) {}
  public func stderr(_ text: String) {}
}
