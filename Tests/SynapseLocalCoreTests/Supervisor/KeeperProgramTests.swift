import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The keeper in C where it sits beside the binary; the binary's own `keeper` command otherwise.
@Suite("keeper program")
struct KeeperProgramTests {
  @Test func theKeeperBesideTheBinaryIsRunAndTheBuiltInOneOtherwise() throws {
    let files = MemoryFileSystem(roots: ["/opt", "/usr", "/x"])
    #expect(KeeperProgram.command(for: "/opt/sl/bin/synapse-local", files: files) == ("/opt/sl/bin/synapse-local", ["keeper"]))
    try files.write("#!", to: "/opt/sl/bin/synapse-local-keeper", permissions: 0o755)
    #expect(KeeperProgram.command(for: "/opt/sl/bin/synapse-local", files: files) == ("/opt/sl/bin/synapse-local-keeper", []))
    // Not executable: not run.
    try files.write("#!", to: "/usr/bin/synapse-local-keeper", permissions: 0o644)
    #expect(KeeperProgram.command(for: "/usr/bin/synapse-local", files: files) == ("/usr/bin/synapse-local", ["keeper"]))
    #expect(KeeperProgram.command(for: "/x/synapse-local-keeper", files: files) == ("/x/synapse-local-keeper", []))
  }
}
