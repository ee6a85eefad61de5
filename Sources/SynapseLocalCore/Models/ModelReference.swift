import Foundation
import SynapseLocalSystem

/// A model REF as every command accepts it: a catalog id (`llama-3.2-3b-q4`), a Hub reference
/// `ORG/REPO` or `ORG/REPO/PATH/IN/REPO` with an optional `@REVISION`, or a local path starting with
/// `/`, `./`, `../` or `~` (so `./models/x` is a folder and `models/x` the repository `x` of `models`).
public enum ModelReference: Sendable, Equatable, CustomStringConvertible {
  case catalog(id: String, revision: String?)
  case hub(repository: String, path: String?, revision: String?)
  case local(path: String)

  public init(parsing text: String) throws(ModelReferenceError) {
    guard !text.isEmpty else { throw .empty }
    if text.hasPrefix("/") || text.hasPrefix("./") || text.hasPrefix("../") || text == "~" || text.hasPrefix("~/") || text == "."
      || text == ".."
    {
      self = .local(path: text)
      return
    }
    var body = Substring(text)
    var revision: String?
    if let at = body.lastIndex(of: "@") {
      revision = String(body[body.index(after: at)...])
      body = body[..<at]
      // It becomes refs/<revision> in the store: refs/pr/1 is a path, refs/../.. must not be.
      guard let revision, PathSafety.isRevision(revision), !revision.contains("/") || revision.hasPrefix("refs/") else {
        throw .badRevision(text)
      }
    }
    let parts = body.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { throw .malformed(text) }
    switch parts.count {
    case 1: self = .catalog(id: String(parts[0]), revision: revision)
    case 2: self = .hub(repository: String(body), path: nil, revision: revision)
    default:
      self = .hub(repository: parts[0...1].joined(separator: "/"), path: parts[2...].joined(separator: "/"), revision: revision)
    }
  }

  /// The model's name when no catalog entry gives one: the file or repository name without its
  /// extension. Only model-file extensions count, so `bge-small-en-v1.5` keeps its ".5".
  public var derivedName: String {
    let last: Substring =
      switch self {
      case .catalog(let id, _): Substring(id)
      case .hub(let repository, let path, _): (path ?? repository).split(separator: "/").last ?? Substring(repository)
      case .local(let path): path.split(separator: "/").last ?? Substring(path)
      }
    guard let dot = last.lastIndex(of: "."), dot != last.startIndex,
      Self.modelFileExtensions.contains(last[last.index(after: dot)...].lowercased())
    else { return String(last) }
    return String(last[..<dot])
  }

  static let modelFileExtensions: Set<String> = ["gguf", "safetensors", "bin", "pt", "pth", "onnx"]

  public var description: String {
    switch self {
    case .catalog(let id, let revision): id + (revision.map { "@\($0)" } ?? "")
    case .hub(let repository, let path, let revision): repository + (path.map { "/\($0)" } ?? "") + (revision.map { "@\($0)" } ?? "")
    case .local(let path): path
    }
  }
}

extension ModelReference {
  /// The REF as typed on a command line, with a relative local path made absolute against the
  /// folder it was typed in (the project file's own relative paths are relative to the project,
  /// so a path from the command line must not stay relative there). Other REFs are unchanged.
  public func typed(workingDirectory: String) -> ModelReference {
    guard case .local(let path) = self, !path.hasPrefix("/"), !path.hasPrefix("~") else { return self }
    return .local(
      path: URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true)).standardizedFileURL.path)
  }
}

/// Written and read as the REF's text (synapse-local.yaml, JSON, the control socket).
extension ModelReference: Codable {
  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    do {
      self = try ModelReference(parsing: text)
    } catch {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  /// A catalog id with no revision (the defaults and tests name models this way).
  public static func catalog(_ id: String) -> ModelReference { .catalog(id: id, revision: nil) }

  /// A local path.
  public var isLocal: Bool {
    if case .local = self { return true }
    return false
  }
}

extension ModelReference {
  /// The catalog id, when the REF is one.
  public var catalogID: String? {
    if case .catalog(let id, _) = self { return id }
    return nil
  }
}
