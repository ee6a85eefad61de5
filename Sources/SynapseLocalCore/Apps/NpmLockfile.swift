import Foundation
import SynapseLocalSystem

/// The packages an npm lockfile (`package-lock.json`, `npm-shrinkwrap.json`; lockfileVersion 1 to
/// 3) pins, as `npm ci` fetches them: each registry tarball by its `resolved` URL and `integrity`.
/// Every string in it comes from outside: it is read, never run or joined into a path.
public struct NpmLockfile: Sendable, Equatable {
  public struct Package: Sendable, Equatable {
    /// `node_modules/a/node_modules/@s/b` (lockfile 2 and 3), or the names' chain (1).
    public var location: String
    public var version: String
    public var resolved: String?
    public var integrity: String?
    /// An optional dependency: npm skips it where its `os`, `cpu` or `libc` exclude the machine.
    public var optional = false
    public var os: [String] = []
    public var cpu: [String] = []
    public var libc: [String] = []

    /// The package's name, from where it sits.
    public var name: String {
      guard let range = location.range(of: "node_modules/", options: .backwards) else { return location }
      return String(location[range.upperBound...])
    }

    /// Whether npm installs it on `platform` (Linux here means glibc, as Debian's).
    public func installs(on platform: Platform) -> Bool {
      let (system, machine) =
        switch platform {
        case .linuxX64: ("linux", "x64")
        case .linuxArm64: ("linux", "arm64")
        case .macosArm64: ("darwin", "arm64")
        }
      return Self.allows(os, system) && Self.allows(cpu, machine) && (platform == .macosArm64 || Self.allows(libc, "glibc"))
    }

    /// npm's rule for `os` and `cpu`: a value named with `!` is excluded; when any is named
    /// without, only those are allowed.
    static func allows(_ list: [String], _ value: String) -> Bool {
      let wanted = list.filter { !$0.hasPrefix("!") }
      return !list.contains("!" + value) && (wanted.isEmpty || wanted.contains(value))
    }
  }

  public var packages: [Package]

  public static let fileNames = ["package-lock.json", "npm-shrinkwrap.json"]

  public init(data: Data, path: String) throws {
    guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw AppError.malformedFile(path: path, reason: "is not a JSON object")
    }
    var found: [Package] = []
    if let entries = root["packages"] as? [String: Any] {
      for (location, value) in entries where !location.isEmpty {
        guard let entry = value as? [String: Any] else {
          throw AppError.malformedFile(path: path, reason: "its entry \(location) is not an object")
        }
        // A workspace's link, a workspace's own folder, a dependency bundled in its parent's tarball.
        guard entry["link"] as? Bool != true, location.contains("node_modules/"), entry["inBundle"] as? Bool != true else { continue }
        found.append(try Self.package(location, entry, path: path))
      }
    } else if let dependencies = root["dependencies"] as? [String: Any] {
      try Self.walk(dependencies, under: "", path: path, into: &found)
    }
    packages = found.sorted { $0.location < $1.location }
  }

  /// Lockfile 1: dependencies nested in dependencies.
  static func walk(_ dependencies: [String: Any], under parent: String, path: String, into found: inout [Package]) throws {
    for (name, value) in dependencies {
      guard let entry = value as? [String: Any] else {
        throw AppError.malformedFile(path: path, reason: "its dependency \(name) is not an object")
      }
      let location = parent + "node_modules/" + name
      if entry["bundled"] as? Bool != true, !((entry["version"] as? String)?.hasPrefix("file:") ?? false) {
        found.append(try package(location, entry, path: path))
      }
      if let nested = entry["dependencies"] as? [String: Any] { try walk(nested, under: location + "/", path: path, into: &found) }
    }
  }

  static func package(_ location: String, _ entry: [String: Any], path: String) throws -> Package {
    func strings(_ key: String) -> [String] { (entry[key] as? [Any])?.compactMap { $0 as? String } ?? [] }
    let version = entry["version"] as? String ?? ""
    // Lockfile 1 writes a tarball or git dependency's source as its version.
    let resolved = entry["resolved"] as? String ?? (version.contains(":") ? version : nil)
    return Package(
      location: location, version: version, resolved: resolved, integrity: entry["integrity"] as? String,
      optional: entry["optional"] as? Bool == true,
      os: strings("os"), cpu: strings("cpu"), libc: strings("libc"))
  }
}
