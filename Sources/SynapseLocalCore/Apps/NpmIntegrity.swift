import Foundation
import SynapseLocalSystem

/// One hash of a lockfile's `integrity` (Subresource Integrity: `sha512-BASE64`), and where npm's
/// cache (cacache) keeps the tarball with that hash: `_cacache/content-v2/<algorithm>/<2 hex>/<2
/// hex>/<rest>`. npm reads a locked tarball from there by this hash alone (pacote's
/// `tarballStream`), which is why a carried cache needs nothing else, and why its files can be
/// checked: each one's name is its own digest.
public struct NpmIntegrity: Sendable, Equatable, Hashable {
  public var algorithm: Digest.Algorithm
  /// The digest, lowercase hexadecimal.
  public var hex: String

  /// The algorithms npm's cache is read by here, with their names and digest lengths in bytes.
  static let algorithms: [(name: String, algorithm: Digest.Algorithm, bytes: Int)] = [
    ("sha512", .sha512, 64), ("sha256", .sha256, 32), ("sha1", .sha1, 20),
  ]

  public var name: String { Self.algorithms.first { $0.algorithm == algorithm }?.name ?? "sha512" }

  /// The content file below a cache folder (npm's `cache`, e.g. ~/.npm).
  public var contentPath: String {
    let index = hex.index(hex.startIndex, offsetBy: 4)
    return "_cacache/content-v2/\(name)/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex[index...])"
  }

  /// Every hash an `integrity` value names that this tool can check, strongest first; empty when
  /// none (a malformed value, or only algorithms it does not know).
  public static func parse(_ value: String) -> [NpmIntegrity] {
    var found: [NpmIntegrity] = []
    for item in value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
      let text = item.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
      guard let dash = text.firstIndex(of: "-"), let known = algorithms.first(where: { $0.name == text[..<dash] }),
        let bytes = Data(base64Encoded: String(text[text.index(after: dash)...])), bytes.count == known.bytes
      else { continue }
      found.append(NpmIntegrity(algorithm: known.algorithm, hex: bytes.map { String(format: "%02x", $0) }.joined()))
    }
    return found.sorted { one, other in
      (algorithms.firstIndex { $0.algorithm == one.algorithm } ?? 0) < (algorithms.firstIndex { $0.algorithm == other.algorithm } ?? 0)
    }
  }

  /// The hash a content file's name says, for a path below a cache folder exactly of the shape
  /// `_cacache/content-v2/<algorithm>/<hh>/<hh>/<hex>`; nil for anything else.
  public static func named(by path: String) -> NpmIntegrity? {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 6, parts[0] == "_cacache", parts[1] == "content-v2",
      let known = algorithms.first(where: { $0.name == parts[2] })
    else { return nil }
    let hex = parts[3] + parts[4] + parts[5]
    guard parts[3].utf8.count == 2, parts[4].utf8.count == 2, PathSafety.isHex(hex, lengths: [known.bytes * 2]) else { return nil }
    return NpmIntegrity(algorithm: known.algorithm, hex: hex)
  }
}
