import Foundation
import SynapseLocalSystem
import Yams

/// The catalog in `profiles/catalog.yaml`: data, validated when loaded.
public struct ModelCatalog: Sendable {
  public struct Headroom: Codable, Sendable, Equatable {
    /// PostgreSQL with pgvector, idle.
    public var postgresBytes: UInt64
    /// The Synapse backend (Node).
    public var backendBytes: UInt64
    public var sources: [String: String]?

    enum CodingKeys: String, CodingKey {
      case sources
      case postgresBytes = "postgres_bytes"
      case backendBytes = "backend_bytes"
    }
  }

  struct File: Codable {
    var version: Int
    var headroom: Headroom
    var models: [CatalogModel]
  }

  public var path: String
  public var headroom: Headroom
  public var models: [CatalogModel]

  public static let fileName = "catalog.yaml"

  public static func load(from path: String, files: any FileSystem) throws(CatalogError) -> ModelCatalog {
    guard let data = files.contents(path) else { throw .missing(path: path) }
    return try parse(String(decoding: data, as: UTF8.self), file: path)
  }

  public static func parse(_ text: String, file: String) throws(CatalogError) -> ModelCatalog {
    let decoded: File
    do {
      decoded = try YAMLDecoder().decode(File.self, from: text)
    } catch let error as DecodingError {
      throw describe(error, text: text, file: file)
    } catch {
      throw .syntax(file: file, reason: "\(error)")
    }
    guard decoded.version == 1 else {
      throw .invalid(file: file, entry: nil, field: "version", problem: "version \(decoded.version) is not supported (1 is)")
    }
    let catalog = ModelCatalog(path: file, headroom: decoded.headroom, models: decoded.models)
    try CatalogValidator.validate(catalog)
    return catalog
  }

  public func model(id: String, role: ModelRole? = nil) throws(CatalogError) -> CatalogModel {
    guard let model = models.first(where: { $0.id == id && (role == nil || $0.role == role) }) else {
      throw .unknownModel(id: id, role: role, known: models.filter { role == nil || $0.role == role }.map(\.id))
    }
    return model
  }

  public func models(_ role: ModelRole) -> [CatalogModel] {
    models.filter { $0.role == role }
  }

  /// Names the entry (by its id when it has one) and the field a decoding error is about.
  static func describe(_ error: DecodingError, text: String, file: String) -> CatalogError {
    let (path, problem): ([any CodingKey], String) =
      switch error {
      case .keyNotFound(let key, let context): (context.codingPath + [key], "is missing")
      case .typeMismatch(let type, let context): (context.codingPath, "has the wrong type (expected \(type)): \(context.debugDescription)")
      case .valueNotFound(let type, let context): (context.codingPath, "has no value (expected \(type))")
      case .dataCorrupted(let context):
        (context.codingPath, context.underlyingError.map { "\($0)" } ?? context.debugDescription)
      @unknown default: ([], "\(error)")
      }
    guard path.first?.stringValue == "models", path.count >= 2, let index = path[1].intValue else {
      let field = path.map(\.stringValue).joined(separator: ".")
      if path.isEmpty { return .syntax(file: file, reason: problem) }
      return .invalid(file: file, entry: nil, field: field, problem: problem)
    }
    var entry = "#\(index + 1)"
    if let root = try? Yams.load(yaml: text) as? [String: Any], let list = root["models"] as? [Any],
      index < list.count, let id = (list[index] as? [String: Any])?["id"] as? String
    {
      entry = id
    }
    let field = path.dropFirst(2).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    return .invalid(file: file, entry: entry, field: field.isEmpty ? nil : field, problem: problem)
  }
}
