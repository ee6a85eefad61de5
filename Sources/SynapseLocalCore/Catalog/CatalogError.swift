import SynapseLocalSystem

public enum CatalogError: Error, Equatable, CustomStringConvertible {
  case missing(path: String)
  case syntax(file: String, reason: String)
  case invalid(file: String, entry: String?, field: String?, problem: String)
  case unknownModel(id: String, role: ModelRole?, known: [String])

  public var description: String {
    switch self {
    case .missing(let path):
      "no model catalog at \(path); set SYNAPSE_LOCAL_PROFILES to a folder holding catalog.yaml"
    case .syntax(let file, let reason):
      "\(file): not valid YAML: \(reason)"
    case .invalid(let file, let entry, let field, let problem):
      "\(file): \([entry.map { "entry '\($0)'" }, field.map { "field '\($0)'" }].compactMap { $0 }.joined(separator: ", "))\(entry == nil && field == nil ? "" : ": ")\(problem)"
    case .unknownModel(let id, let role, let known):
      "'\(id)' is not a catalog \(role.map { "\($0.rawValue) " } ?? "")model; known: \(known.joined(separator: ", "))"
    }
  }
}
