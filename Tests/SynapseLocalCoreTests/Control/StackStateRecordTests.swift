import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// A project file that does not read still leads `down`, `status`, `logs` and `restart` to the
/// stack `up` started: through the default state folder, or the record `up` left for another.
@Suite("stack state record")
struct StackStateRecordTests {
  func context(_ files: MemoryFileSystem) -> Context {
    Context.testing(system: MemoryFileSystem(roots: ["/"]), environment: [:], processes: StubProcessRunner(), files: files)
  }

  @Test func aStateFolderElsewhereIsFoundWithoutTheProjectFile() throws {
    let files = MemoryFileSystem(roots: ["/p", "/var/state"], files: ["/p/synapse-local.yaml": "llm: [unclosed\n"])
    // Never started: the file's own error, as before.
    #expect(throws: ProjectError.self) { try ControlClient(project: "/p", context: context(files)) }
    try files.createDirectory("/var/state/s/run", permissions: 0o700)
    try StackStateRecord.record(state: "/var/state/s", project: "/p", files: files)
    let client = try ControlClient(project: "/p", context: context(files))
    #expect(client.state == "/var/state/s")
    #expect(client.projectFileProblem?.contains("synapse-local.yaml") == true, "\(String(describing: client.projectFileProblem))")
    // Back to the default folder: the record goes, and the default folder is used.
    try StackStateRecord.record(state: "/p/.synapse-local", project: "/p", files: files)
    #expect(!files.exists("/p/.synapse-local/state-folder"))
    try files.createDirectory("/p/.synapse-local/run", permissions: 0o700)
    #expect(try ControlClient(project: "/p", context: context(files)).state == "/p/.synapse-local")
  }

  @Test func aRecordThatIsNotAnAbsoluteFolderIsIgnored() throws {
    let files = MemoryFileSystem(roots: ["/p"], files: ["/p/.synapse-local/state-folder": "../../etc\n"])
    #expect(StackStateRecord.recorded(project: "/p", files: files) == nil)
  }
}
