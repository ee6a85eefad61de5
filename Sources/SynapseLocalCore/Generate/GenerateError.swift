import Foundation
import Mustache

public enum GenerateError: Error, Equatable, CustomStringConvertible {
  case templateMissing(path: String)
  case templateInvalid(path: String, reason: String)
  case modelNotInStore(role: String, ref: String)
  case unwritable(path: String, reason: String)
  case unsafeValue(value: String, format: String)

  public var description: String {
    switch self {
    case .templateMissing(let path): "template \(path) is missing; reinstall synapse-local or set SYNAPSE_LOCAL_TEMPLATES"
    case .templateInvalid(let path, let reason): "template \(path) is not valid Mustache: \(reason)"
    case .modelNotInStore(let role, let ref):
      "the \(role) model \(ref) is not in the model store, and the compose file names its snapshot files: run `synapse-local pull \(ref)` (or `models import`) first"
    case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
    case .unsafeValue(let value, let format):
      "\(value.debugDescription) cannot be written into \(format) safely (a quote or line break); change it in synapse-local.yaml"
    }
  }
}
