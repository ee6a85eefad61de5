import Foundation
import SynapseLocalSystem

/// A Hugging Face model repository id, `ORG/REPO`, checked as the Hub checks it, and its folder
/// name in the cache (`models--ORG--REPO`).
public struct RepositoryID: Sendable, Hashable, Comparable, CustomStringConvertible {
  public let organization: String
  public let name: String

  public init(_ text: String) throws(StoreError) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, parts.allSatisfy(Self.isValidPart) else { throw .badRepository(text) }
    organization = String(parts[0])
    name = String(parts[1])
  }

  /// Letters, digits, '-', '_', '.'; at most 96; no "--" or ".." (they would make cache folder
  /// names ambiguous), not starting or ending with '-' or '.'.
  static func isValidPart(_ part: Substring) -> Bool {
    guard (1...96).contains(part.count), !part.contains("--"), !part.contains("..") else { return false }
    guard let first = part.first, let last = part.last, !"-.".contains(first), !"-.".contains(last) else { return false }
    return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
  }

  public var description: String { "\(organization)/\(name)" }
  public var cacheFolderName: String { "models--\(organization)--\(name)" }

  /// The repository a cache folder name stands for, or nil for anything else in the cache.
  public init?(cacheFolderName: String) {
    guard cacheFolderName.hasPrefix("models--") else { return nil }
    let rest = cacheFolderName.dropFirst("models--".count)
    guard let separator = rest.range(of: "--") else { return nil }
    guard let id = try? RepositoryID("\(rest[..<separator.lowerBound])/\(rest[separator.upperBound...])") else { return nil }
    self = id
  }

  public static func < (a: Self, b: Self) -> Bool { a.description.lowercased() < b.description.lowercased() }
}

/// A file path inside a repository: relative, '/'-separated, no empty, '.' or '..' parts, so a
/// hostile name can never escape the snapshot folder.
public func validatedPathInRepository(_ path: String) throws(StoreError) -> String {
  guard PathSafety.isRelativePath(path) else { throw .badPathInRepository(path) }
  return path
}
