import Foundation
import SynapseLocalSystem

/// The starting points in `profiles/<name>.yaml`: partial project files (any key of
/// `synapse-local.yaml`); `catalog.yaml`, `engines.yaml` and `images.yaml` beside them are not.
public struct Profiles: Sendable {
  public var folder: String
  public var files: any FileSystem

  public init(folder: String, files: any FileSystem) {
    self.folder = folder
    self.files = files
  }

  public var names: [String] {
    (files.list(folder) ?? [])
      .filter { $0.hasSuffix(".yaml") && ![ModelCatalog.fileName, EngineReleases.fileName, EngineImages.fileName].contains($0) }
      .map { String($0.dropLast(".yaml".count)) }
      .sorted()
  }

  /// The profile applied over `base`, with the keys it sets and their lines.
  public func load(_ name: String, over base: ProjectConfiguration) throws -> (ProjectConfiguration, [String: Int]) {
    guard names.contains(name) else { throw ProjectError.unknownProfile(name: name, available: names) }
    let path = "\(folder)/\(name).yaml"
    guard let data = files.contents(path) else { throw ProjectError.unreadable(path: path, reason: "cannot open") }
    var lines: [String: Int] = [:]
    var configuration = try ProjectSchema.parse(String(decoding: data, as: UTF8.self), file: path, over: base, lines: &lines)
    configuration.profile = name
    return (configuration, lines)
  }
}
