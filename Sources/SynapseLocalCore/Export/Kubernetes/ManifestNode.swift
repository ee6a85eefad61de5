/// A YAML document as the manifests need it: mappings that keep their key order (so `apiVersion`,
/// `kind`, `metadata` come first and a person can read the file), written in block style with
/// every string quoted where YAML would read it as something else.
public indirect enum ManifestNode: Sendable {
  case string(String)
  case int(Int)
  case bool(Bool)
  case list([ManifestNode])
  case map([(String, ManifestNode)])

  /// The document's text, ending in a newline.
  public func yaml() -> String {
    lines(indent: 0).joined(separator: "\n") + "\n"
  }

  var scalar: String? {
    switch self {
    case .string(let text): YAMLScalar.string(text)
    case .int(let value): String(value)
    case .bool(let value): value ? "true" : "false"
    case .list(let items) where items.isEmpty: "[]"
    case .map(let entries) where entries.isEmpty: "{}"
    default: nil
    }
  }

  func lines(indent: Int) -> [String] {
    let pad = String(repeating: " ", count: indent)
    switch self {
    case .map(let entries) where !entries.isEmpty:
      return entries.flatMap { key, value -> [String] in
        let name = YAMLScalar.string(key)
        if let scalar = value.scalar { return [pad + name + ": " + scalar] }
        // Lists sit at their key's indent (kubectl's style); mappings one level in.
        if case .list = value { return [pad + name + ":"] + value.lines(indent: indent) }
        return [pad + name + ":"] + value.lines(indent: indent + 2)
      }
    case .list(let items) where !items.isEmpty:
      return items.flatMap { item -> [String] in
        if let scalar = item.scalar { return [pad + "- " + scalar] }
        var nested = item.lines(indent: indent + 2)
        nested[0] = pad + "- " + nested[0].dropFirst(indent + 2)
        return nested
      }
    default:
      return [pad + (scalar ?? "")]
    }
  }
}

extension ManifestNode: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(arrayLiteral elements: ManifestNode...) { self = .list(elements) }
  /// Dictionary literals keep the order they are written in.
  public init(dictionaryLiteral elements: (String, ManifestNode)...) { self = .map(elements) }
}
