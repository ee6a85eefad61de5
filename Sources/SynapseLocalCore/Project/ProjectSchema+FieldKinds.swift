import Foundation
import SynapseLocalSystem
import Yams

/// The kinds of key the schema knows: each reads and checks one YAML node into the configuration,
/// or returns the one-line reason it cannot.
extension ProjectSchema {
  static func nodeRequirement(_ key: String, _ path: any WritableKeyPath<ProjectConfiguration, String> & Sendable) -> Field {
    Field(key: key) { configuration, node in
      guard let text = scalarText(node) else { return "expected a Node version requirement such as >=20" }
      do throws(NodeRequirementError) {
        _ = try NodeRequirement(text)
      } catch {
        return "\(error)"
      }
      configuration[keyPath: path] = text
      return nil
    }
  }

  static let fieldsByKey: [String: Field] = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0) })

  /// Every key, for docs and `--help`.
  public static var keys: [String] { fields.map(\.key) }

  // MARK: field kinds

  static func scalarText(_ node: Node) -> String? {
    guard case .scalar(let scalar) = node else { return nil }
    return scalar.string
  }

  static func string(_ key: String, _ path: any WritableKeyPath<ProjectConfiguration, String> & Sendable, allowEmpty: Bool = false) -> Field
  {
    Field(key: key) { configuration, node in
      guard case .scalar(let scalar) = node, scalar.tag.description != Tag.Name.null.rawValue || allowEmpty else {
        return "expected a string"
      }
      let text = node.null != nil ? "" : scalar.string
      if text.isEmpty && !allowEmpty { return "must not be empty" }
      configuration[keyPath: path] = text
      return nil
    }
  }

  /// The file's format version: one this build cannot read is named, with the one it can.
  static let version = Field(key: "version") { configuration, node in
    let supported = ProjectConfiguration().version
    guard case .scalar = node, let value = node.int else { return "expected a whole number, got '\(scalarText(node) ?? "a collection")'" }
    guard value == supported else {
      return "version \(value) is not supported: this synapse-local (\(ToolVersion.current)) reads version \(supported)"
    }
    configuration.version = value
    return nil
  }

  /// A built-in chat template's name, or empty: it becomes an argument, so never a path or a flag.
  static func templateName(_ key: String, _ path: any WritableKeyPath<ProjectConfiguration, String> & Sendable) -> Field {
    Field(key: key) { configuration, node in
      let text = node.null != nil ? "" : (scalarText(node) ?? "-")
      guard ChatTemplate.isName(text) || text.isEmpty else {
        return "expected one of llama-server's built-in chat template names (gemma, chatml, llama3, …), or \"\" for the model file's own"
      }
      configuration[keyPath: path] = text
      return nil
    }
  }

  static func identifier(_ key: String, _ path: any WritableKeyPath<ProjectConfiguration, String> & Sendable) -> Field {
    Field(key: key) { configuration, node in
      guard let text = scalarText(node), let first = text.first, first.isLetter || first == "_",
        text.count <= 63, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
      else { return "expected a PostgreSQL name: letters, digits and _, starting with a letter, at most 63" }
      configuration[keyPath: path] = text
      return nil
    }
  }

  static func int(_ key: String, _ path: any WritableKeyPath<ProjectConfiguration, Int> & Sendable, _ range: ClosedRange<Int>) -> Field {
    Field(key: key) { configuration, node in
      guard case .scalar = node, let value = node.int else { return "expected a whole number, got '\(scalarText(node) ?? "a collection")'" }
      guard range.contains(value) else { return "\(value) is out of range (\(range.lowerBound)-\(range.upperBound))" }
      configuration[keyPath: path] = value
      return nil
    }
  }

  static func port(_ key: String, _ path: any WritableKeyPath<ProjectConfiguration, Int> & Sendable) -> Field {
    Field(key: key) { configuration, node in
      guard case .scalar = node, let value = node.int else { return "expected a port number, got '\(scalarText(node) ?? "a collection")'" }
      guard (1...65_535).contains(value) else { return "\(value) is not a port (1-65535)" }
      configuration[keyPath: path] = value
      return nil
    }
  }

  static func double(_ key: String, _ path: any WritableKeyPath<ProjectConfiguration, Double> & Sendable, _ range: ClosedRange<Double>)
    -> Field
  {
    Field(key: key) { configuration, node in
      guard case .scalar = node, let value = node.float else { return "expected a number, got '\(scalarText(node) ?? "a collection")'" }
      guard range.contains(value) else { return "\(value) is out of range (\(range.lowerBound)-\(range.upperBound))" }
      configuration[keyPath: path] = value
      return nil
    }
  }

  static func bool(_ key: String, _ path: any WritableKeyPath<ProjectConfiguration, Bool> & Sendable) -> Field {
    Field(key: key) { configuration, node in
      guard case .scalar = node, let value = node.bool else { return "expected true or false, got '\(scalarText(node) ?? "a collection")'" }
      configuration[keyPath: path] = value
      return nil
    }
  }

  static func enumeration<Value: RawRepresentable & CaseIterable & Sendable>(
    _ key: String, _ path: any WritableKeyPath<ProjectConfiguration, Value> & Sendable
  ) -> Field where Value.RawValue == String {
    Field(key: key) { configuration, node in
      let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
      guard let text = scalarText(node), let value = Value(rawValue: text) else {
        return "expected one of \(allowed), got '\(scalarText(node) ?? "a collection")'"
      }
      configuration[keyPath: path] = value
      return nil
    }
  }

  /// A model REF, parsed here once: the configuration keeps the typed value.
  static func reference(_ key: String, _ path: any WritableKeyPath<ProjectConfiguration, ModelReference> & Sendable) -> Field {
    Field(key: key) { configuration, node in
      guard let text = scalarText(node), !text.isEmpty else {
        return "expected a model REF (catalog id, ORG/REPO[/PATH][@REVISION] or a local path)"
      }
      do {
        configuration[keyPath: path] = try ModelReference(parsing: text)
      } catch {
        return (error as? ModelReferenceError)?.description ?? "\(error)"
      }
      return nil
    }
  }

  static func url(_ key: String, _ path: any WritableKeyPath<ProjectConfiguration, String> & Sendable) -> Field {
    Field(key: key) { configuration, node in
      guard let text = scalarText(node), let components = URLComponents(string: text), ["http", "https"].contains(components.scheme ?? ""),
        components.host?.isEmpty == false
      else { return "expected an http:// or https:// URL, got '\(scalarText(node) ?? "a collection")'" }
      configuration[keyPath: path] = text
      return nil
    }
  }
}
