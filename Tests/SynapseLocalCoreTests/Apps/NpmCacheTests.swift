import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// What an npm lockfile's install reads from npm's cache: the registry tarballs it pins for a
/// platform, found by their integrity in cacache's layout (names as real npm 10 writes them).
@Suite("npm's cache for a lockfile")
struct NpmCacheTests {
  /// tiny-dep 1.0.0 as the stand-in registry packs it, and where npm 10 put it in its cache.
  static let integrity = "sha512-dZZyym2xgglFF0KYYncccGiV7x+g4mC6c6eV2fy/3fmwA1AUI7OCsFsCWJVXKGTzPOKt/Jdqg8yGHsA9KWTTCg=="
  static let contentPath =
    "_cacache/content-v2/sha512/75/96/72ca6db182094517429862771c706895ef1fa0e260ba73a795d9fcbfddf9b003501423b382b05b025895572864f33ce2adfc976a83cc861ec03d2964d30a"

  static let lockfile = """
    {
      "name": "synapse", "lockfileVersion": 3, "requires": true,
      "packages": {
        "": {"name": "synapse", "workspaces": ["apps/*"]},
        "apps/backend": {"name": "@synapse/backend", "version": "1.0.0"},
        "node_modules/@synapse/backend": {"resolved": "apps/backend", "link": true},
        "node_modules/tiny-dep": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/tiny-dep/-/tiny-dep-1.0.0.tgz",
          "integrity": "\(integrity) sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA="},
        "node_modules/@esbuild/linux-x64": {"version": "0.21.5", "resolved": "https://registry.npmjs.org/@esbuild/linux-x64/-/linux-x64-0.21.5.tgz",
          "integrity": "sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", "optional": true, "os": ["linux"], "cpu": ["x64"]},
        "node_modules/@esbuild/darwin-arm64": {"version": "0.21.5", "resolved": "https://registry.npmjs.org/@esbuild/darwin-arm64/-/darwin-arm64-0.21.5.tgz",
          "integrity": "sha512-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA==", "optional": true, "os": ["darwin"], "cpu": ["arm64"]},
        "node_modules/@rollup/rollup-linux-x64-musl": {"version": "4.0.0", "resolved": "https://registry.npmjs.org/x.tgz",
          "integrity": "sha512-CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCA==", "optional": true, "os": ["linux"], "cpu": ["x64"], "libc": ["musl"]},
        "node_modules/a/node_modules/bundled": {"version": "1.0.0", "inBundle": true}
      }
    }
    """

  @Test func theIntegrityNamesTheFileNpmKeepsTheTarballIn() {
    let parsed = NpmIntegrity.parse(Self.integrity + " sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    #expect(parsed.map(\.name) == ["sha512", "sha1"])
    #expect(parsed.first?.contentPath == Self.contentPath)
    #expect(NpmIntegrity.named(by: Self.contentPath) == parsed.first)
    #expect(NpmIntegrity.parse("md5-AAAA sha512-short").isEmpty)
    for hostile in ["_cacache/content-v2/sha512/75/96/../../../x", "_cacache/index-v5/75/96/72ca", "_cacache/content-v2/sha512/75/96/72CA"]
    {
      #expect(NpmIntegrity.named(by: hostile) == nil, "\(hostile)")
    }
  }

  @Test func theTarballsNpmCiFetchesOnEachPlatform() throws {
    let lockfile = try NpmLockfile(data: Data(Self.lockfile.utf8), path: "/c/package-lock.json")
    #expect(lockfile.packages.map(\.name).contains("bundled") == false, "bundled in its parent, linked, the root: not fetched")
    let linux = NpmCache.needs(lockfile, platform: .linuxX64)
    #expect(linux.needs.map(\.package.name) == ["@esbuild/linux-x64", "tiny-dep"] && linux.refused.isEmpty)
    #expect(NpmCache.needs(lockfile, platform: .macosArm64).needs.map(\.package.name) == ["@esbuild/darwin-arm64", "tiny-dep"])
    #expect(NpmCache.needs(lockfile, platform: .linuxArm64).needs.map(\.package.name) == ["tiny-dep"])
  }

  @Test func aPackageNoCacheServesIsRefused() throws {
    for (entry, reason) in [
      (#"{"version": "1.0.0", "resolved": "git+ssh://git@github.com/a/b.git#abc"}"#, #"comes from "git+ssh://git@github.com/a/b.git#abc""#),
      (#"{"version": "1.0.0", "integrity": "sha512-x"}"#, "has no resolved URL"),
      (#"{"version": "1.0.0", "resolved": "https://example.com/b.tgz"}"#, "has no integrity hash"),
    ] {
      let text = #"{"lockfileVersion": 3, "packages": {"": {}, "node_modules/b": "# + entry + "}}"
      let needs = NpmCache.needs(try NpmLockfile(data: Data(text.utf8), path: "/l"), platform: .linuxX64)
      #expect(needs.needs.isEmpty && needs.refused.first?.reason.hasPrefix(reason) == true, "\(needs.refused)")
    }
    // Lockfile 1: nested dependencies, a local tarball left to the checkout.
    let v1 =
      #"{"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0", "resolved": "https://r/a.tgz", "integrity": "\#(Self.integrity)", "dependencies": {"b": {"version": "file:vendor/b.tgz"}}}}}"#
    let old = try NpmLockfile(data: Data(v1.utf8), path: "/l")
    #expect(old.packages.map(\.location) == ["node_modules/a"])
    #expect(throws: AppError.self) { try NpmLockfile(data: Data("[1]".utf8), path: "/l") }
  }

  @Test func aCacheHoldsALockfileWhenEveryTarballIsThere() throws {
    let files = MemoryFileSystem(roots: ["/c", "/s"], files: ["/c/package-lock.json": Self.lockfile])
    #expect(!NpmCache.holdsAll(lockfile: "/c/package-lock.json", cache: "/s/npm-cache", platform: .linuxArm64, files: files))
    try files.write(Data("x".utf8), to: "/s/npm-cache/" + Self.contentPath, permissions: 0o644)
    #expect(NpmCache.holdsAll(lockfile: "/c/package-lock.json", cache: "/s/npm-cache", platform: .linuxArm64, files: files))
    #expect(
      !NpmCache.holdsAll(lockfile: "/c/package-lock.json", cache: "/s/npm-cache", platform: .linuxX64, files: files), "esbuild's is missing"
    )
  }
}
