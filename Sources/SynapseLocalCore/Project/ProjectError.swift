import SynapseLocalSystem

public enum ProjectError: Error, Equatable, CustomStringConvertible {
  /// Every problem found, one line each.
  case invalid([ProjectProblem])
  case notFound(path: String)
  /// The project file is there but sets nothing (empty, or only comments).
  case empty(path: String, project: String)
  case unreadable(path: String, reason: String)
  case unknownProfile(name: String, available: [String])
  case exists(path: String)
  /// Flags that cannot be applied, one line each.
  case flags([String])

  public var description: String {
    switch self {
    case .invalid(let problems): problems.map(\.description).joined(separator: "\n")
    case .notFound(let path): "no project at \(path): run `synapse-local init` there first, or pass --project DIR"
    case .empty(let path, let project):
      "\(path) is empty: `synapse-local init --force --project \(project)` plans a project for this machine and writes it"
    case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
    case .unknownProfile(let name, let available): "unknown profile '\(name)'; available: \(available.joined(separator: ", "))"
    case .exists(let path): "\(path) already exists; pass --force to replace it (its database password is kept)"
    case .flags(let problems): problems.joined(separator: "\n")
    }
  }
}
