import Foundation
import Mustache
import SynapseLocalSystem

public enum GenerateError: Error, Equatable, CustomStringConvertible {
  case templateMissing(path: String)
  case templateInvalid(path: String, reason: String)
  case modelNotInStore(role: String, ref: String)
  /// A demo model (the test bed's files, never on the Hub under the catalog's pin): imported, not pulled.
  /// `advice`: `ModelImportAdvice`'s line, the same `init` prints.
  case demoModelNotInStore(role: String, ref: String, advice: String)
  case localModelMissing(role: String, ref: String, path: String)
  case unwritable(path: String, reason: String)
  case unsafeValue(value: String, format: String)

  /// The role ("llm", "embedding") of a model that cannot be found, for a `file:line: key:` report.
  public var missingModelRole: String? {
    switch self {
    case .modelNotInStore(let role, _), .demoModelNotInStore(let role, _, _), .localModelMissing(let role, _, _): role
    default: nil
    }
  }

  public var description: String {
    switch self {
    case .templateMissing(let path): "template \(path) is missing; reinstall synapse-local or set SYNAPSE_LOCAL_TEMPLATES"
    case .templateInvalid(let path, let reason): "template \(path) is not valid Mustache: \(reason)"
    case .modelNotInStore(let role, let ref):
      "the \(role) model \(ref) is not in the model store, and the compose file names its snapshot files: run `synapse-local pull \(ref)` (or `models import`) first"
    case .demoModelNotInStore(let role, let ref, let advice):
      "the \(role) model \(ref) is a demo model and is not in the model store: put its file there with `\(advice)`"
    case .localModelMissing(let role, let ref, let path):
      "the \(role) model \(ref) is a local path, and \(path) does not exist: give a file or folder that does (synapse-local.yaml or --\(role))"
    case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
    case .unsafeValue(let value, let format):
      "\(value.debugDescription) cannot be written into \(format) safely (a quote, line break or control character); change it in synapse-local.yaml"
    }
  }
}
