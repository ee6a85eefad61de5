import SynapseLocalCore
import SynapseLocalSystem
import Testing

@Suite("Node version requirements")
struct NodeRequirementTests {
  typealias V = NodeRequirement.Version

  @Test(arguments: [
    (">=20", "v20.0.0", true), (">=20", "v18.19.0", false), (">=20", "v22.1.0", true),
    ("20", "v20.20.2", true), ("20", "v21.0.0", false), ("20.x", "v20.1.0", true), ("v20.11.0", "v20.11.0", true),
    ("v20.11.0", "v20.11.1", false), ("^20.11", "v20.12.0", true), ("^20.11", "v21.0.0", false), ("^20.11", "v20.10.9", false),
    ("~20.11.1", "v20.11.5", true), ("~20.11.1", "v20.12.0", false), (">=18 <21", "v20.20.2", true), (">=18 <21", "v21.0.0", false),
    (">= 18.17.0", "v18.17.0", true), ("18 || >=20", "v19.0.0", false), ("18 || >=20", "v20.1.0", true), ("20 - 22", "v22.9.0", true),
    ("20 - 22", "v23.0.0", false), ("lts/iron", "v20.20.2", true), ("lts/iron", "v22.0.0", false), ("lts/*", "v16.0.0", true),
    ("*", "v10.0.0", true), (">20", "v20.9.0", false), (">20", "v21.0.0", true), ("<=20", "v20.99.0", true),
    ("^0.0.3", "v0.0.3", true), ("^0.0.3", "v0.0.4", false), ("^0.2.3", "v0.2.9", true), ("^0.2.3", "v0.3.0", false),
  ])
  func requirement(_ text: String, _ version: String, _ accepted: Bool) throws {
    #expect(try NodeRequirement(text).accepts(try #require(V(version))) == accepted)
  }

  @Test func unreadableRequirementsAndVersions() {
    // A number too large to add one to is refused, not a crash.
    for text in ["lts/unknown", ">=twenty", "^", "20.1.2.3", ">9223372036854775807", "^99999999999"] {
      #expect(throws: NodeRequirementError.self) { try NodeRequirement(text) }
    }
    #expect(V("v20.20.2\n") == V(20, 20, 2))
    #expect(V("v22.0.0-nightly2024") == V(22))
    #expect(V("node 20") == nil)
  }

  @Test func packageManagerCommandLines() {
    #expect(PackageManager.pnpm.frozenInstall() == "pnpm install --frozen-lockfile")
    #expect(PackageManager.npm.frozenInstall() == "npm ci")
    #expect(PackageManager.yarn.frozenInstall(lockfileText: "__metadata:\n") == "yarn install --immutable")
    #expect(PackageManager.yarn.frozenInstall(lockfileText: "# yarn lockfile v1\n") == "yarn install --frozen-lockfile")
    #expect(PackageManager.npm.run("dev") + " " + PackageManager.npm.passing(["--port", "5173"]) == "npm run dev -- --port 5173")
    #expect(PackageManager.pnpm.run("dev") + " " + PackageManager.pnpm.passing(["--port", "5173"]) == "pnpm run dev --port 5173")
    #expect(PackageManager.yarn.run("dev") + " " + PackageManager.yarn.passing(["--host", "127.0.0.1"]) == "yarn run dev --host 127.0.0.1")
    #expect(PackageManager(packageManagerField: "pnpm@9.1.0+sha512.abc") == .pnpm)
    #expect(PackageManager(packageManagerField: "bun@1") == nil)
  }
}
