import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The generate service end to end on fakes: the project, its lock and the store in memory, the
/// machine a fixture folder, no program on PATH, no command run.
@Suite("project generation service")
struct ProjectGenerationServiceTests {
  let project = "/home/user/synapse"
  // /usr/lib/postgresql: where the binary locator looks for PostgreSQL (empty here).
  // /share: the repository's templates and profiles, copied in.
  let files = MemoryFileSystem(roots: ["/home/user/synapse", "/store", "/usr/lib/postgresql", "/share"])
  let context: Context
  let catalog: ModelCatalog

  init() throws {
    catalog = try Fixtures.catalog()
    var base = Fixtures.machineContext("laptop-v2")
    try Fixtures.share(into: files, at: "/share")
    base.environment = ["PATH": "", "SYNAPSE_LOCAL_TEMPLATES": "/share/templates", "SYNAPSE_LOCAL_PROFILES": "/share/profiles"]
    base.files = files
    context = base
    var configuration = ProjectConfiguration()
    configuration.paths.store = "/store"
    let text = try ProjectFile.render(configuration, renderer: TemplateRenderer(folder: "/share/templates", files: files))
    try files.write(text, to: project + "/synapse-local.yaml")
  }

  /// A file in the store as a pull leaves it, pinned in the project's lock.
  func stock(_ repository: String, path: String, commit: String, lock: inout ProjectLock) throws {
    let folder = "/store/" + (try RepositoryID(repository)).cacheFolderName
    let etag = String(repeating: "a", count: 63) + String(lock.files.count)
    try files.write(Data(count: 8), to: folder + "/blobs/" + etag, permissions: 0o644)
    files.link(folder + "/snapshots/\(commit)/\(path)", to: "../../blobs/" + etag)
    lock.files.append(.init(repository: repository, revision: "main", commit: commit, path: path, size: 8, sha256: etag, etag: etag))
  }

  func stockDefaultModels() throws {
    var lock = ProjectLock()
    try stock(
      "bartowski/Llama-3.2-3B-Instruct-GGUF", path: "Llama-3.2-3B-Instruct-Q4_K_M.gguf", commit: "c0ffee0100000000000000000000000000000000",
      lock: &lock)
    try stock(
      "sentence-transformers/all-MiniLM-L6-v2", path: "config.json", commit: "beef000200000000000000000000000000000000", lock: &lock)
    let encoded = try JSONEncoder().encode(lock)
    // The lock is YAML; JSON is YAML too.
    try files.write(encoded, to: project + "/synapse-local.lock", permissions: 0o644)
  }

  @Test func generatesEveryFileOnceWithNothingToWarnAbout() async throws {
    try stockDefaultModels()
    let service = ProjectGeneration(context: context, catalog: catalog)
    let first = try await service.generate(project: project)
    #expect(first.outcomes.map(\.status) == Array(repeating: .written, count: 5))
    #expect(files.permissions(project + "/.env") == 0o600)
    #expect(files.text(project + "/.env")?.contains("LOCAL_LLM_MODEL=Llama-3.2-3B-Instruct") == true)
    // Nothing on PATH is no concern of generate's: `up` installs the runtimes it lacks.
    #expect(first.warnings.isEmpty)
    let again = try await service.generate(project: project)
    #expect(again.outcomes.allSatisfy { $0.status == .unchanged })
    #expect(try await service.generateIfMissing(project: project) == false)
  }

  @Test func aDryRunWritesNothingAndMasksNoPasswordItNeverMade() async throws {
    try stockDefaultModels()
    let shared = files.paths.filter { $0.hasPrefix("/share/") }
    let result = try await ProjectGeneration(context: context, catalog: catalog).generate(project: project, dryRun: true)
    #expect(result.outcomes.allSatisfy { $0.status == .written && ($0.diff?.isEmpty == false) })
    #expect(
      files.paths == [
        "/home/user/synapse/synapse-local.lock", "/home/user/synapse/synapse-local.yaml",
      ] + shared + files.paths.filter { $0.hasPrefix("/store/") })
  }

  /// A profile with a line break would add a variable to `.env` that the apps and the Kubernetes
  /// export carry: one line naming the file, line and key, and nothing written.
  @Test func aValueWithALineBreakIsRefusedBeforeAnythingIsWritten() async throws {
    try stockDefaultModels()
    let path = project + "/synapse-local.yaml"
    let text = try #require(files.text(path))
    let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex(of: "profile: \"\"")) + 1
    try files.write(
      text.replacingOccurrences(of: "profile: \"\"\n", with: "profile: \"x\\nNODE_OPTIONS=--require=/tmp/a.js\\n#\"\n"), to: path)
    await #expect {
      try await ProjectGeneration(context: context, catalog: catalog).generate(project: project)
    } throws: { error in
      "\(error)"
        == "\(path):\(line): profile: has the control character U+000A (a line break); write the value on one line, without control characters"
    }
    #expect(!files.paths.contains(project + "/.env") && !files.paths.contains { $0.hasPrefix(project + "/.synapse-local") })
  }

  @Test func aModelNotInTheStoreNamesItsKeyLineAndThePull() async throws {
    await #expect {
      try await ProjectGeneration(context: context, catalog: catalog).generate(project: project)
    } throws: { error in
      let line = "\(error)"
      return line.hasPrefix("/home/user/synapse/synapse-local.yaml:") && line.contains(": llm.model: ")
        && line.contains("synapse-local pull llama-3.2-3b-q4")
    }
    #expect(!files.paths.contains(project + "/.env"))
  }
}
