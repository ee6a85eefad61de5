/// Where a Core service says what it is doing: results, warnings and progress. The CLI prints
/// them (warnings and progress on stderr); tests record them.
public protocol OutputSink: Sendable {
  func line(_ text: String)
  /// What is happening, for the person watching (a step begun, a file generated): not a result,
  /// not a problem.
  func info(_ text: String)
  func warning(_ text: String)
  /// Bytes done of a total for one named item (a download).
  func progress(_ item: String, done: UInt64, total: UInt64)
  /// Text as it is, on the command's standard output: its result (a table, a JSON document).
  func stdout(_ text: String)
  /// Text as it is, on the command's standard error: what the CLI says to the person (an error).
  func stderr(_ text: String)
}
