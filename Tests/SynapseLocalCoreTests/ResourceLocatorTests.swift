import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// `profiles/` and `templates/` are found wherever synapse-local is installed.
@Suite("Finding profiles/ and templates/")
struct ResourceLocatorTests {
  let root = "/layout"
  let files = MemoryFileSystem(roots: ["/layout", "/nonexistent"])

  func make(_ folders: String...) throws {
    for folder in folders { try files.createDirectory(root + "/" + folder) }
  }

  @Test func environmentVariableWins() throws {
    try make("bin/profiles", "mine/profiles")
    let locator = ResourceLocator(
      environment: ["SYNAPSE_LOCAL_PROFILES": root + "/mine/profiles"], executablePath: root + "/bin/synapse-local", files: files)
    #expect(try locator.locate(.profiles) == root + "/mine/profiles")
  }

  @Test func nextToTheBinary() throws {
    try make("bin/profiles", "share/synapse-local/profiles")
    let locator = ResourceLocator(environment: [:], executablePath: root + "/bin/synapse-local", files: files)
    #expect(try locator.locate(.profiles) == root + "/bin/profiles")
  }

  @Test func underAnInstallPrefix() throws {
    try make("bin", "share/synapse-local/templates")
    let locator = ResourceLocator(environment: [:], executablePath: root + "/bin/synapse-local", files: files)
    #expect(try locator.locate(.templates) == root + "/share/synapse-local/templates")
  }

  @Test func inASourceTreeBuild() throws {
    try make(".build/x86_64-unknown-linux-gnu/debug", "profiles")
    try files.write("", to: root + "/Package.swift")
    let locator = ResourceLocator(
      environment: [:], executablePath: root + "/.build/x86_64-unknown-linux-gnu/debug/synapse-local", files: files)
    #expect(try locator.locate(.profiles) == root + "/profiles")
  }

  @Test func aMissingOverrideIsAnErrorNotAFallback() throws {
    try make("bin/profiles")
    let locator = ResourceLocator(
      environment: ["SYNAPSE_LOCAL_TEMPLATES": "/nonexistent"], executablePath: root + "/bin/synapse-local", files: files)
    #expect(throws: ResourceError.overrideMissing(variable: "SYNAPSE_LOCAL_TEMPLATES", path: "/nonexistent")) {
      try locator.locate(.templates)
    }
  }
}
