import Foundation
import SynapseLocalSystem

/// What pip says when a file's bytes do not match a pinned hash (`THESE PACKAGES DO NOT MATCH THE
/// HASHES FROM THE REQUIREMENTS FILE`), read into the one line `install` prints.
struct PipHashMismatch: Equatable {
  /// The requirement pip was installing (`torch==2.15.0`).
  var requirement: String
  /// Where the file came from: a path in a wheelhouse, or a URL.
  var source: String
  /// The SHA-256 of the bytes served.
  var got: String

  /// Reads pip's report of the first mismatched file; nil when the output holds none.
  init?(pipOutput: String) {
    let lines = pipOutput.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    guard let start = lines.firstIndex(where: { $0.contains("DO NOT MATCH THE HASHES") }) else { return nil }
    // "torch==2.15.0 from file:///wheels/torch-....whl (from -r /r.txt (line 3)):"
    guard let what = lines[(start + 1)...].first(where: { $0.contains(" from ") }),
      let got = lines[(start + 1)...].first(where: { $0.hasPrefix("Got") })?.split(separator: " ").last
    else { return nil }
    let parts = what.components(separatedBy: " from ")
    requirement = parts[0]
    var source = parts[1].components(separatedBy: " (from ")[0]
    if source.hasSuffix(":") { source.removeLast() }
    self.source = URL(string: source).flatMap { $0.isFileURL ? $0.path : nil } ?? source
    self.got = String(got)
  }
}
