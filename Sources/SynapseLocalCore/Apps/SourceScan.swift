import Foundation
import SynapseLocalSystem

/// The text of an app's own source files (JavaScript, TypeScript and the web frameworks' files),
/// without node_modules or build output, bounded so a large checkout is read in well under a second.
public struct SourceScan: Sendable {
  public static let extensions: Set<String> = ["js", "mjs", "cjs", "ts", "mts", "cts", "jsx", "tsx", "vue", "svelte"]
  static let skipped: Set<String> = ["node_modules", ".git", "dist", "build", ".next", ".nuxt", ".svelte-kit", "coverage", "out", ".turbo"]
  static let maxFiles = 4000
  static let maxFileBytes: UInt64 = 2 << 20

  /// Each file's path (relative to `folder`) and text.
  public var files: [(path: String, text: String)] = []

  public init(_ folder: String, files fileSystem: any FileSystem) {
    var pending = [""]
    while let relative = pending.popLast(), files.count < Self.maxFiles {
      let absolute = relative.isEmpty ? folder : folder + "/" + relative
      for name in (fileSystem.list(absolute) ?? []).sorted() where !Self.skipped.contains(name) {
        let path = relative.isEmpty ? name : relative + "/" + name
        let full = folder + "/" + path
        if fileSystem.isDirectory(full) {
          // Links to folders are not followed: a link loop must not hang init.
          if fileSystem.linkTarget(full) == nil { pending.append(path) }
        } else if let dot = name.lastIndex(of: "."), Self.extensions.contains(String(name[name.index(after: dot)...])),
          (fileSystem.size(full) ?? 0) <= Self.maxFileBytes, let data = fileSystem.contents(full)
        {
          files.append((path, String(decoding: data, as: UTF8.self)))
        }
      }
    }
  }

  /// The files that mention `word`.
  public func mentioning(_ word: String) -> [String] { files.filter { $0.text.contains(word) }.map(\.path) }

  /// Every distinct match of `pattern` (its first capture group, else the whole match), in file order.
  public func matches(_ pattern: String) -> [String] {
    guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
    var seen: [String] = []
    for file in files {
      let text = file.text as NSString
      for match in expression.matches(in: file.text, range: NSRange(location: 0, length: text.length)) {
        let range = match.numberOfRanges > 1 && match.range(at: 1).location != NSNotFound ? match.range(at: 1) : match.range
        let found = text.substring(with: range)
        if !seen.contains(found) { seen.append(found) }
      }
    }
    return seen
  }
}
