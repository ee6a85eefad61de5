import Foundation

/// What stands at a path itself, a link not followed (`lstat`): what the store, the runtimes and
/// bundles must know before they move, replace or count a thing.
public struct FileEntry: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    case file, folder, link, other
  }

  public var kind: Kind
  /// Bytes of a file (of the link itself for a link).
  public var size: UInt64
  public var permissions: Int
  public var modified: Date
  public var owner: FileOwner

  public init(kind: Kind, size: UInt64, permissions: Int, modified: Date, owner: FileOwner) {
    self.kind = kind
    self.size = size
    self.permissions = permissions
    self.modified = modified
    self.owner = owner
  }

  public var isExecutableFile: Bool { kind == .file && permissions & 0o111 != 0 }
}
