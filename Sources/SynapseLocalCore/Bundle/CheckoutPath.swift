import Foundation
import SynapseLocalSystem

/// The one rule for a path inside the Synapse checkout that a bundle carries (`app/<path>`), at
/// export (what git or the folder listed) and at import (what the manifest names): relative,
/// '/'-separated, no empty, `.` or `..` part, no control character, nothing inside `.git` (hooks
/// there would run), at most 4096 bytes. Joined below the checkout, it stays below it as long as no
/// folder on the way is a link, which the import checks on disk.
public enum CheckoutPath {
  /// Why `path` may not be carried; nil when it may.
  public static func refusal(_ path: String) -> String? {
    guard !path.isEmpty, path.utf8.count <= 4096 else { return "is empty or too long" }
    guard !path.hasPrefix("/") else { return "is absolute" }
    guard !PathSafety.hasControlCharacter(path) else { return "has a control character in its name" }
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return "has an empty, '.' or '..' part" }
    guard !parts.contains(where: { $0.lowercased() == ".git" }) else { return "is inside a .git folder" }
    return nil
  }

  /// `path` below `folder` with `.` and `..` taken out, without touching the disk (a link's
  /// target, joined to the link's folder).
  static func normalized(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/") {
      if part == "." { continue }
      if part == ".." {
        _ = parts.popLast()
      } else {
        parts.append(part)
      }
    }
    return "/" + parts.joined(separator: "/")
  }

  /// Whether `path` is `folder` or below it (both absolute and normalized).
  static func isInside(_ path: String, _ folder: String) -> Bool {
    path == folder || path.hasPrefix(folder == "/" ? "/" : folder + "/")
  }

  /// Where `relative` below `checkout` ends once every link on the way is followed (at most 40),
  /// or why it cannot be carried: a link that leaves the checkout, or one that leads nowhere.
  static func resolve(_ relative: String, in checkout: String, files: any FileSystem) -> Result<String, Refused> {
    var resolved = checkout
    var pending = relative.split(separator: "/").map(String.init)
    var hops = 0
    while !pending.isEmpty {
      let next = resolved + "/" + pending.removeFirst()
      guard let target = files.linkTarget(next) else {
        resolved = next
        continue
      }
      hops += 1
      let joined = normalized(target.hasPrefix("/") ? target : resolved + "/" + target)
      guard hops <= 40, isInside(joined, checkout) else {
        return .failure(Refused(reason: "is a link to \(PathSafety.quoted(target)), outside the checkout"))
      }
      // Walked again from the checkout, so that a link within the target is followed too.
      pending = joined.dropFirst(checkout.count).split(separator: "/").map(String.init) + pending
      resolved = checkout
    }
    return .success(resolved)
  }

  struct Refused: Error, Equatable {
    var reason: String
  }
}
