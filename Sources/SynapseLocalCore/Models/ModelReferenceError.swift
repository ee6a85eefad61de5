import Foundation
import SynapseLocalSystem

public enum ModelReferenceError: Error, Equatable, CustomStringConvertible {
  case empty
  case malformed(String)
  case badRevision(String)

  public var description: String {
    switch self {
    case .empty:
      "an empty model REF; give a catalog id, ORG/REPO[/PATH][@REVISION], or a path starting with /, ./, ../ or ~"
    case .malformed(let text):
      "'\(text)' is not a model REF: it has an empty or '.'/'..' part; give a catalog id, ORG/REPO[/PATH][@REVISION], or a path starting with /, ./, ../ or ~"
    case .badRevision(let text):
      "'\(text)' has an empty or malformed @REVISION; give a branch, tag or commit after '@'"
    }
  }
}
