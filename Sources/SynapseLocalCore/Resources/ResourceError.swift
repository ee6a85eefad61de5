import Foundation
import SynapseLocalSystem

public enum ResourceError: Error, Equatable, CustomStringConvertible {
  case notFound(kind: String, variable: String, searched: [String])
  case overrideMissing(variable: String, path: String)
  case unreadable(path: String, reason: String)

  public var description: String {
    switch self {
    case .notFound(let kind, let variable, let searched):
      "cannot find the \(kind)/ folder (looked in \(searched.joined(separator: ", "))); set \(variable) to its path"
    case .overrideMissing(let variable, let path):
      "\(variable) is set to \(path), which does not exist; point it at an existing folder or unset it"
    case .unreadable(let path, let reason):
      "cannot read \(path) (\(reason)); reinstall synapse-local or set SYNAPSE_LOCAL_PROFILES"
    }
  }
}
