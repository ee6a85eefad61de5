import Foundation
import SynapseLocalSystem

/// Finds the runtime data folders `profiles/` and `templates/`, in this order: the environment
/// variable (`SYNAPSE_LOCAL_PROFILES`, `SYNAPSE_LOCAL_TEMPLATES`), next to the executable, the install
/// prefix's `share/synapse-local/`, then the source tree the executable was built in.
public struct ResourceLocator: Sendable {
  public enum Kind: String, Sendable {
    case profiles
    case templates

    var environmentVariable: String {
      switch self {
      case .profiles: "SYNAPSE_LOCAL_PROFILES"
      case .templates: "SYNAPSE_LOCAL_TEMPLATES"
      }
    }
  }

  public var environment: [String: String]
  public var executablePath: String
  public var files: any FileSystem

  public init(environment: [String: String], executablePath: String, files: any FileSystem) {
    self.environment = environment
    self.executablePath = executablePath
    self.files = files
  }

  public static func live(environment: [String: String], files: any FileSystem) -> ResourceLocator {
    ResourceLocator(environment: environment, executablePath: Bundle.main.executablePath ?? CommandLine.arguments.first ?? "", files: files)
  }

  /// The candidate folders, most specific first.
  public func candidates(_ kind: Kind) -> [String] {
    if let override = environment[kind.environmentVariable], !override.isEmpty {
      return [HubCacheLocation.expandTilde(override, environment)]
    }
    // A link to the binary (an install's bin/synapse-local) counts where it points.
    let executable =
      files.linkTarget(executablePath).map {
        $0.hasPrefix("/") ? $0 : ((executablePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent($0)
      } ?? executablePath
    let binDir = (executable as NSString).deletingLastPathComponent
    var result = [
      "\(binDir)/\(kind.rawValue)",
      ((binDir as NSString).deletingLastPathComponent as NSString).appendingPathComponent("share/synapse-local/\(kind.rawValue)"),
    ]
    // While developing, the binary sits in <checkout>/.build/<triple>/<config>/.
    var dir = binDir
    while dir != "/" && !dir.isEmpty {
      if files.exists("\(dir)/Package.swift") { result.append("\(dir)/\(kind.rawValue)") }
      dir = (dir as NSString).deletingLastPathComponent
    }
    result.append(Self.sourceTree + "/" + kind.rawValue)
    return result
  }

  public func locate(_ kind: Kind) throws(ResourceError) -> String {
    let candidates = candidates(kind)
    if let override = environment[kind.environmentVariable], !override.isEmpty, !files.exists(candidates[0]) {
      throw ResourceError.overrideMissing(variable: kind.environmentVariable, path: candidates[0])
    }
    if let found = candidates.first(where: { files.exists($0) }) { return found }
    throw ResourceError.notFound(kind: kind.rawValue, variable: kind.environmentVariable, searched: candidates)
  }

  public func catalogPath() throws(ResourceError) -> String {
    try locate(.profiles) + "/" + ModelCatalog.fileName
  }

  /// The checkout this file was compiled from; the last resort for tests and `swift run`.
  static let sourceTree: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
  }()
}

extension ResourceLocator {
  /// The model catalog found with the other resources.
  public func loadCatalog() throws -> ModelCatalog {
    try ModelCatalog.load(from: catalogPath(), files: files)
  }
}
