import Foundation
import SynapseLocalSystem

/// The Synapse checkout's files as a bundle carries them: what git tracks (or, outside a git work
/// tree, what the app folders hold), each read from disk as it is now, and the local changes that
/// makes part of the bundle.
public struct CheckoutFiles: Sendable, Equatable {
  public enum Source: String, Codable, Sendable {
    /// `git ls-files`: the tracked files.
    case git
    /// The app folders walked, without node_modules, .git, build output and secrets.
    case folder
  }

  public struct File: Sendable, Equatable {
    /// Below the checkout: the member is `app/<relative>`.
    public var relative: String
    /// Where its bytes are read: the file itself, or the file a link inside the checkout leads to.
    public var source: String
    public var executable: Bool
  }

  /// The checkout, absolute.
  public var checkout: String
  public var source: Source
  public var files: [File]
  /// Tracked files that differ from the last commit: carried as they are on disk.
  public var modified: [String] = []
  /// Tracked files missing on disk: not carried.
  public var deleted: [String] = []
  /// Files git neither tracks nor ignores: not carried.
  public var untracked: [String] = []
  /// Outside git: files left out because they hold secrets (`.env`, an `.npmrc` with a credential).
  public var withheld: [String] = []

  public var hasLocalChanges: Bool { !(modified.isEmpty && deleted.isEmpty && untracked.isEmpty) }

  /// The export's line about local changes, or nil when the work tree is clean.
  public var localChangesNote: String? {
    guard hasLocalChanges else { return nil }
    var parts: [String] = []
    if !modified.isEmpty { parts.append("\(modified.count) modified (carried as they are on disk: \(Self.sample(modified)))") }
    if !deleted.isEmpty { parts.append("\(deleted.count) deleted (not carried: \(Self.sample(deleted)))") }
    if !untracked.isEmpty {
      parts.append("\(untracked.count) untracked (not carried; `git add` them to carry them: \(Self.sample(untracked)))")
    }
    return "the checkout \(checkout) has local changes: " + parts.joined(separator: "; ")
  }

  /// The export's line about files left out for their secrets, or nil.
  public var withheldNote: String? {
    guard !withheld.isEmpty else { return nil }
    return
      "not carried, as they may hold secrets: \(Self.sample(withheld)) in \(checkout) (the checkout is not a git work tree; a tracked file would be carried)"
  }

  static func sample(_ paths: [String]) -> String {
    paths.prefix(3).map { PathSafety.hasControlCharacter($0) ? PathSafety.quoted($0) : $0 }.joined(separator: ", ")
      + (paths.count > 3 ? ", …" : "")
  }
}
