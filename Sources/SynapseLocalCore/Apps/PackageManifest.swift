import Foundation
import SynapseLocalSystem

/// What synapse-local reads from a `package.json`: its scripts, what it depends on, its workspaces,
/// the Node it asks for and the package manager it names.
public struct PackageManifest: Sendable, Equatable {
  public var name: String?
  public var scripts: [String: String]
  /// dependencies, devDependencies and peerDependencies together.
  public var dependencies: Set<String>
  /// `workspaces`, as an array or as `{ "packages": [...] }`.
  public var workspaces: [String]
  public var nodeRequirement: String?
  /// corepack's `packageManager`, e.g. "pnpm@9.1.0".
  public var packageManager: String?

  /// Reads `data`; the error says what is wrong, for a one-line message naming the file.
  public init(data: Data) throws(AppError.Reason) {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw .malformed("not valid JSON (\(Self.shortReason(error)))")
    }
    guard let root = object as? [String: Any] else { throw .malformed("not a JSON object") }
    name = root["name"] as? String
    guard root["scripts"] == nil || root["scripts"] is [String: Any] else { throw .malformed("\"scripts\" is not an object") }
    scripts = (root["scripts"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
    var dependencies = Set<String>()
    for key in ["dependencies", "devDependencies", "peerDependencies"] {
      guard let value = root[key] else { continue }
      guard let map = value as? [String: Any] else { throw .malformed("\"\(key)\" is not an object") }
      dependencies.formUnion(map.keys)
    }
    self.dependencies = dependencies
    switch root["workspaces"] {
    case nil: workspaces = []
    case let list as [Any]: workspaces = list.compactMap { $0 as? String }
    case let map as [String: Any]: workspaces = (map["packages"] as? [Any] ?? []).compactMap { $0 as? String }
    default: throw .malformed("\"workspaces\" is neither a list nor an object with \"packages\"")
    }
    nodeRequirement = (root["engines"] as? [String: Any])?["node"] as? String
    packageManager = root["packageManager"] as? String
  }

  public init(name: String? = nil, scripts: [String: String] = [:], dependencies: Set<String> = []) {
    self.name = name
    self.scripts = scripts
    self.dependencies = dependencies
    self.workspaces = []
  }

  static func shortReason(_ error: any Error) -> String {
    let described = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
    return described.split(separator: "\n").first.map(String.init) ?? described
  }
}
