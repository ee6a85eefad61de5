/// The shapes a value from outside (a Hub's headers and listings, a lock file, a bundle's
/// manifest) must have before it becomes part of a path. Each check is a whitelist: what passes
/// cannot name a parent folder, an absolute path, another file's name or a control character.
/// docs/security.md says which input each one guards.
public enum PathSafety {
  /// A git commit id as the Hub gives it: 40 lowercase hexadecimal digits.
  public static func isCommit(_ text: String) -> Bool { isHex(text, lengths: [40]) }

  /// A Hub etag that names a blob: the git blob SHA-1 (40) or the LFS SHA-256 (64), lowercase.
  public static func isEtag(_ text: String) -> Bool { isHex(text, lengths: [40, 64]) }

  /// A SHA-256 in lowercase hexadecimal.
  public static func isSHA256(_ text: String) -> Bool { isHex(text, lengths: [64]) }

  public static func isHex(_ text: String, lengths: Set<Int>) -> Bool {
    lengths.contains(text.utf8.count) && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
  }

  /// A relative, '/'-separated path with no empty, '.' or '..' part and no control character:
  /// joined below a folder, it stays below it (as long as no part of it is a link). It does not
  /// start with '-', so that on a command line (`hf download REPO PATH`) it is never an option.
  public static func isRelativePath(_ text: String) -> Bool {
    guard !text.isEmpty, !text.hasPrefix("/"), !text.hasPrefix("-"), !hasControlCharacter(text) else { return false }
    return text.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
  }

  /// A branch, tag or `refs/pr/N`: it becomes `refs/<revision>` in the cache, so it is a relative
  /// path as well, of reasonable length.
  public static func isRevision(_ text: String) -> Bool {
    text.utf8.count <= 255 && isRelativePath(text)
  }

  /// One name in a folder (a runtime's version or variant, an asset's file name): no '/', not '.'
  /// or '..', no control character, and not starting with '-' (it may reach a command line).
  public static func isName(_ text: String) -> Bool {
    guard (1...255).contains(text.utf8.count), text != ".", text != "..", !text.hasPrefix("-") else { return false }
    return !text.contains("/") && !hasControlCharacter(text)
  }

  /// NUL, line breaks of any kind, tabs and the other controls (`ControlCharacters`' one rule).
  public static func hasControlCharacter(_ text: String) -> Bool {
    ControlCharacters.first(in: text) != nil
  }

  /// A refused value for a one-line message: quoted, controls escaped, at most 80 characters.
  public static func quoted(_ text: String) -> String {
    let short = text.count > 80 ? String(text.prefix(77)) + "..." : text
    return short.debugDescription
  }
}
