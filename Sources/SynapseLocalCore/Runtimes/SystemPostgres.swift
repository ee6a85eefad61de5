import Foundation
import SynapseLocalSystem

/// A PostgreSQL the system already has, used as it is when it is 14 or newer and its installation
/// has the `vector` extension: Debian's `/usr/lib/postgresql/<N>/bin`, or a `postgres` on PATH.
struct SystemPostgres: Sendable {
  var context: Context

  static let minimumMajor = 14

  enum Finding: Sendable, Equatable {
    case usable(bin: String, major: Int)
    /// Why none is used (shown by `install --list` as the reason for the wheel).
    case unusable(String)
  }

  func find() async -> Finding {
    var rejected: [String] = []
    for (bin, shares) in candidates() {
      guard let major = await majorVersion(bin) else { continue }
      guard major >= Self.minimumMajor else {
        rejected.append("PostgreSQL \(major) in \(bin) is older than \(Self.minimumMajor)")
        continue
      }
      guard shares.contains(where: { context.files.exists($0 + "/extension/vector.control") }) else {
        rejected.append("PostgreSQL \(major) in \(bin) has no pgvector (no extension/vector.control)")
        continue
      }
      return .usable(bin: bin, major: major)
    }
    return .unusable(rejected.isEmpty ? "no system PostgreSQL was found" : rejected.joined(separator: "; "))
  }

  /// (bin folder, the share folders its extensions may be in), Debian's newest first.
  func candidates() -> [(String, [String])] {
    var found: [(String, [String])] = []
    let versions = (context.files.list("/usr/lib/postgresql") ?? []).compactMap(Int.init).sorted(by: >)
    for version in versions {
      let bin = "/usr/lib/postgresql/\(version)/bin"
      if context.files.isExecutable(bin + "/postgres") { found.append((bin, ["/usr/share/postgresql/\(version)"])) }
    }
    if let onPath = context.findExecutable("postgres") {
      // Debian links /usr/local/bin/postgres to its own: the same PostgreSQL, looked at once.
      let folder = (onPath as NSString).deletingLastPathComponent
      let postgres = context.files.linkTarget(onPath).map { $0.hasPrefix("/") ? $0 : folder + "/" + $0 } ?? onPath
      let bin = (postgres as NSString).deletingLastPathComponent
      let prefix = (bin as NSString).deletingLastPathComponent
      if !found.contains(where: { $0.0 == bin }) { found.append((bin, [prefix + "/share/postgresql", prefix + "/share"])) }
    }
    return found
  }

  /// `postgres --version` → "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" → 15: the first
  /// word that starts with a digit.
  func majorVersion(_ bin: String) async -> Int? {
    guard let result = try? await context.processes.run(bin + "/postgres", ["--version"], timeout: .seconds(10)), result.status == 0,
      let number = result.stdout.split(separator: " ").first(where: { $0.first?.isNumber == true })
    else { return nil }
    return Int(number.prefix { $0.isNumber })
  }
}
