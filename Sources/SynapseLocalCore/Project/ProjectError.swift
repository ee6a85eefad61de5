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

  public var description: String { "\(file):\(line): \(key): \(message)" }
}

public enum ProjectError: Error, Equatable, CustomStringConvertible {
  /// Every problem found, one line each.
  case invalid([ProjectProblem])
  case notFound(path: String)
  case unreadable(path: String, reason: String)
  case unknownProfile(name: String, available: [String])
  case exists(path: String)

  public var description: String {
    switch self {
    case .invalid(let problems): problems.map(\.description).joined(separator: "\n")
    case .notFound(let path): "no project at \(path): run `synapse-local init` there first, or pass --project DIR"
    case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
    case .unknownProfile(let name, let available): "unknown profile '\(name)'; available: \(available.joined(separator: ", "))"
    case .exists(let path): "\(path) already exists; pass --force to replace it (its database password is kept)"
    }
  }
}
