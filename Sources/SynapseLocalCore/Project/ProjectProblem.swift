/// One thing wrong in a project file, located by file, line and key.
public struct ProjectProblem: Sendable, Equatable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var key: String
  public var message: String

  public init(file: String, line: Int, key: String, message: String) {
    self.file = file
    self.line = line
    self.key = key
    self.message = message
  }

  /// One line, whatever the key holds: a key with a line break (an unknown one, say) is quoted.
  public var description: String {
    "\(file):\(line): \(ControlCharacters.first(in: key) == nil ? key : key.debugDescription): \(message)"
  }
}
