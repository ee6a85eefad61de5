/// A unified diff of two small texts (generated files: hundreds of lines at most), from the
/// longest common subsequence of their lines.
public enum LineDiff {
  public static func unified(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
    let a = old.isEmpty ? [] : old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // lcs[i][j]: common lines of a[i...] and b[j...].
    var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
      for j in stride(from: b.count - 1, through: 0, by: -1) {
        lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
      }
    }
    enum Edit {
      case same(String)
      case removed(String)
      case added(String)
    }
    var edits: [Edit] = []
    var (i, j) = (0, 0)
    while i < a.count || j < b.count {
      if i < a.count && j < b.count && a[i] == b[j] {
        edits.append(.same(a[i]))
        i += 1
        j += 1
      } else if i < a.count && (j == b.count || lcs[i + 1][j] >= lcs[i][j + 1]) {
        edits.append(.removed(a[i]))
        i += 1  // removals first, as diff -u prints them
      } else {
        edits.append(.added(b[j]))
        j += 1
      }
    }
    let changed = edits.indices.filter { if case .same = edits[$0] { return false } else { return true } }
    guard !changed.isEmpty else { return "" }
    var output = "--- \(oldName)\n+++ \(newName)\n"
    var start = 0
    while start < changed.count {
      var end = start
      while end + 1 < changed.count && changed[end + 1] - changed[end] <= 2 * context + 1 { end += 1 }
      let low = max(0, changed[start] - context)
      let high = min(edits.count - 1, changed[end] + context)
      var oldLine = 1
      var newLine = 1
      for edit in edits[..<low] {
        switch edit {
        case .same:
          oldLine += 1
          newLine += 1
        case .removed: oldLine += 1
        case .added: newLine += 1
        }
      }
      var body = ""
      var oldCount = 0
      var newCount = 0
      for edit in edits[low...high] {
        switch edit {
        case .same(let line):
          body += " \(line)\n"
          oldCount += 1
          newCount += 1
        case .removed(let line):
          body += "-\(line)\n"
          oldCount += 1
        case .added(let line):
          body += "+\(line)\n"
          newCount += 1
        }
      }
      output += "@@ -\(oldCount == 0 ? oldLine - 1 : oldLine),\(oldCount) +\(newCount == 0 ? newLine - 1 : newLine),\(newCount) @@\n" + body
      start = end + 1
    }
    return output
  }
}
