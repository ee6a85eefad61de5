import Foundation
import SynapseLocalSystem

/// What an npm lockfile's install reads from npm's cache, and whether a cache folder holds it: the
/// registry tarballs it pins for a platform, each as the content file its `integrity` names.
/// `bundle export` carries exactly those files; `up` installs offline from them (`npm ci` with
/// `npm_config_cache` and `npm_config_offline`) when they are all there.
public enum NpmCache {
  /// One tarball the install needs: the package, and the hash the cache keeps it under.
  public struct Need: Sendable, Equatable {
    public var package: NpmLockfile.Package
    public var integrity: NpmIntegrity
    /// Every hash the lockfile gives, strongest first: the cache may hold any one of them.
    public var integrities: [NpmIntegrity]
  }

  /// A package no cache can stand in for, with why.
  public struct Refusal: Sendable, Equatable {
    public var package: NpmLockfile.Package
    public var reason: String
  }

  /// The folder below a project's state folder where an import puts the carried cache.
  public static let stateFolder = "npm-cache"

  /// The tarballs `npm ci` fetches on `platform`, and the packages it would fetch another way
  /// (git, a URL without an integrity, a lockfile that omits the resolved URL), which a carried
  /// cache cannot serve. Optional packages for another platform are left out, as npm does.
  public static func needs(_ lockfile: NpmLockfile, platform: Platform) -> (needs: [Need], refused: [Refusal]) {
    var needs: [Need] = []
    var refused: [Refusal] = []
    for package in lockfile.packages where !package.optional || package.installs(on: platform) {
      guard let resolved = package.resolved else {
        refused.append(Refusal(package: package, reason: "has no resolved URL (npm's omit-lockfile-registry-resolved)"))
        continue
      }
      // A file inside the checkout travels with it.
      if resolved.hasPrefix("file:") { continue }
      guard resolved.hasPrefix("https://") || resolved.hasPrefix("http://") else {
        refused.append(Refusal(package: package, reason: "comes from \(PathSafety.quoted(resolved)), not a registry tarball"))
        continue
      }
      let integrities = NpmIntegrity.parse(package.integrity ?? "")
      guard let strongest = integrities.first else {
        refused.append(Refusal(package: package, reason: "has no integrity hash npm's cache is read by"))
        continue
      }
      needs.append(Need(package: package, integrity: strongest, integrities: integrities))
    }
    return (needs, refused)
  }

  /// The content file for `need` in the cache folder `cache` (relative to it), when there is one.
  public static func find(_ need: Need, in cache: String, files: any FileSystem) -> NpmIntegrity? {
    need.integrities.first { files.exists(cache + "/" + $0.contentPath) }
  }

  /// Whether `cache` holds every tarball the lockfile at `path` needs on `platform`: then its
  /// install runs offline from it.
  public static func holdsAll(lockfile path: String, cache: String, platform: Platform, files: any FileSystem) -> Bool {
    guard files.isDirectory(cache + "/_cacache"), let data = files.contents(path), let lockfile = try? NpmLockfile(data: data, path: path)
    else { return false }
    let (needs, refused) = needs(lockfile, platform: platform)
    return refused.isEmpty && needs.allSatisfy { find($0, in: cache, files: files) != nil }
  }
}
