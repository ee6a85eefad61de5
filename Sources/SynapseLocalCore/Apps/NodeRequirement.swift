import Foundation
import SynapseLocalSystem

/// A Node version requirement as `engines.node` or `.nvmrc` write it: `>=20`, `^20.11`, `20.x`,
/// `>=18 <21 || 22`, `v20.11.0`, `lts/iron`. Checked against `node --version`.
public struct NodeRequirement: Sendable, Equatable, CustomStringConvertible {
  public struct Version: Sendable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int = 0, _ patch: Int = 0) {
      self.major = major
      self.minor = minor
      self.patch = patch
    }

    /// `v20.20.2`, `20.20.2`, `20.1`, `20`.
    public init?(_ text: String) {
      var text = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if text.hasPrefix("v") || text.hasPrefix("V") { text.removeFirst() }
      // A pre-release or build suffix does not change what is checked here.
      let core = text.split(whereSeparator: { $0 == "-" || $0 == "+" }).first.map(String.init) ?? text
      let parts = core.split(separator: ".", omittingEmptySubsequences: false)
      guard (1...3).contains(parts.count) else { return nil }
      // Bounded, so that `major + 1` cannot overflow on a hostile package.json.
      let numbers = parts.map { Int($0).flatMap { (0...1_000_000).contains($0) ? $0 : nil } }
      guard numbers.allSatisfy({ $0 != nil }) else { return nil }
      self.init(numbers[0]!, numbers.count > 1 ? numbers[1]! : 0, numbers.count > 2 ? numbers[2]! : 0)
    }

    public static func < (a: Version, b: Version) -> Bool { (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch) }
    public var description: String { "v\(major).\(minor).\(patch)" }
  }

  /// One comparison: `>= 20.0.0`.
  struct Comparator: Sendable, Equatable {
    enum Operation: String, Sendable {
      case lt = "<"
      case le = "<="
      case gt = ">"
      case ge = ">="
      case eq = "="
    }
    var operation: Operation
    var version: Version

    func accepts(_ v: Version) -> Bool {
      switch operation {
      case .lt: v < version
      case .le: v <= version
      case .gt: v > version
      case .ge: v >= version
      case .eq: v == version
      }
    }
  }

  /// Alternatives (`||`), each a set of comparators that must all hold; empty: any version.
  var alternatives: [[Comparator]]
  /// As written.
  public var text: String

  /// Node's LTS code names, as `.nvmrc` may name them (`lts/iron`).
  static let codeNames = [
    "argon": 4, "boron": 6, "carbon": 8, "dubnium": 10, "erbium": 12, "fermium": 14, "gallium": 16, "hydrogen": 18, "iron": 20,
    "jod": 22, "krypton": 24,
  ]

  /// The guide's own requirement: Node 20 or newer.
  public static let guide = try! NodeRequirement(">=20")

  public init(_ text: String) throws(NodeRequirementError) {
    self.text = text.trimmingCharacters(in: .whitespacesAndNewlines)
    let lowered = self.text.lowercased()
    if ["", "*", "x", "node", "latest", "current", "lts/*", "stable"].contains(lowered) {
      alternatives = []
      return
    }
    if lowered.hasPrefix("lts/") {
      guard let major = Self.codeNames[String(lowered.dropFirst(4))] else { throw NodeRequirementError(text: text) }
      alternatives = [Self.range(major: major)]
      return
    }
    var alternatives: [[Comparator]] = []
    for alternative in lowered.components(separatedBy: "||") { alternatives.append(try Self.parseSet(alternative, original: text)) }
    self.alternatives = alternatives
  }

  /// Whether `version` meets the requirement.
  public func accepts(_ version: Version) -> Bool {
    alternatives.isEmpty || alternatives.contains { set in set.allSatisfy { $0.accepts(version) } }
  }

  public var description: String { text }

  static func range(major: Int) -> [Comparator] {
    [Comparator(operation: .ge, version: Version(major)), Comparator(operation: .lt, version: Version(major + 1))]
  }

  static func parseSet(_ text: String, original: String) throws(NodeRequirementError) -> [Comparator] {
    var tokens = text.split(separator: " ").map(String.init)
    // `>= 20` written with a space.
    var joined: [String] = []
    while !tokens.isEmpty {
      let token = tokens.removeFirst()
      if ["<", "<=", ">", ">=", "="].contains(token), !tokens.isEmpty {
        joined.append(token + tokens.removeFirst())
      } else {
        joined.append(token)
      }
    }
    // `20 - 22`: a hyphen range.
    if joined.count == 3, joined[1] == "-" {
      guard let low = partial(joined[0]), let high = partial(joined[2]) else { throw NodeRequirementError(text: original) }
      return [Comparator(operation: .ge, version: low.version), upperBound(high)]
    }
    var set: [Comparator] = []
    for token in joined {
      set += try comparators(token, original: original)
    }
    return set
  }

  /// A version with some parts missing (`20`, `20.1`, `20.x`): the version and how many parts were given.
  static func partial(_ text: String) -> (version: Version, parts: Int)? {
    var text = text
    if text.hasPrefix("v") { text.removeFirst() }
    let parts = text.split(separator: ".").filter { !["x", "*"].contains($0) }
    guard (1...3).contains(parts.count), let version = Version(parts.joined(separator: ".")) else { return nil }
    return (version, parts.count)
  }

  /// Below the next version of the last part given: `22` → `<23`, `22.1` → `<22.2`.
  static func upperBound(_ high: (version: Version, parts: Int)) -> Comparator {
    let v = high.version
    switch high.parts {
    case 1: return Comparator(operation: .lt, version: Version(v.major + 1))
    case 2: return Comparator(operation: .lt, version: Version(v.major, v.minor + 1))
    default: return Comparator(operation: .le, version: v)
    }
  }

  static func comparators(_ token: String, original: String) throws(NodeRequirementError) -> [Comparator] {
    if token.hasPrefix("lts/") {
      guard let major = codeNames[String(token.dropFirst(4))] else { throw NodeRequirementError(text: original) }
      return range(major: major)
    }
    for (prefix, operation) in [(">=", Comparator.Operation.ge), ("<=", .le), (">", .gt), ("<", .lt), ("=", .eq)]
    where token.hasPrefix(prefix) {
      guard let (version, parts) = partial(String(token.dropFirst(prefix.count))) else { throw NodeRequirementError(text: original) }
      switch operation {
      case .gt where parts < 3: return [Comparator(operation: .ge, version: upperBound((version, parts)).version)]
      case .le where parts < 3: return [upperBound((version, parts))]
      case .eq where parts < 3: return [Comparator(operation: .ge, version: version), upperBound((version, parts))]
      default: return [Comparator(operation: operation, version: version)]
      }
    }
    if token.hasPrefix("^") {
      guard let (v, parts) = partial(String(token.dropFirst())) else { throw NodeRequirementError(text: original) }
      // node-semver: the left-most non-zero part given may not change (^0.2.3 <0.3.0, ^0.0.3 <0.0.4).
      let upper =
        v.major > 0 || parts == 1
        ? Version(v.major + 1) : v.minor > 0 || parts == 2 ? Version(0, v.minor + 1) : Version(0, 0, v.patch + 1)
      return [Comparator(operation: .ge, version: v), Comparator(operation: .lt, version: upper)]
    }
    if token.hasPrefix("~") {
      guard let (v, parts) = partial(String(token.dropFirst())) else { throw NodeRequirementError(text: original) }
      let upper = parts == 1 ? Version(v.major + 1) : Version(v.major, v.minor + 1)
      return [Comparator(operation: .ge, version: v), Comparator(operation: .lt, version: upper)]
    }
    guard let (version, parts) = partial(token) else { throw NodeRequirementError(text: original) }
    if parts == 3 { return [Comparator(operation: .eq, version: version)] }
    return [Comparator(operation: .ge, version: version), upperBound((version, parts))]
  }
}
