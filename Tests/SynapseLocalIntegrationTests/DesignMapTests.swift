import Foundation
import SynapseLocalTesting
import Testing

/// docs/DESIGN.md's map names every source target and every folder of the core: a folder added
/// without its line fails here, so the map a newcomer reads stays true.
@Suite("the design map")
struct DesignMapTests {
  static let repository = Fixtures.repositoryRoot

  static func folders(_ path: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).filter { name in
      var folder: ObjCBool = false
      return FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &folder) && folder.boolValue
    }.sorted()
  }

  @Test func everyTargetAndCoreFolderIsOnTheMap() throws {
    let design = try String(contentsOfFile: Self.repository + "/docs/DESIGN.md", encoding: .utf8)
    let lines = design.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    let targets = try Self.folders(Self.repository + "/Sources")
    let core = try Self.folders(Self.repository + "/Sources/SynapseLocalCore")
    #expect(core.count > 20)
    let missing = (targets + core).filter { name in !lines.contains { $0.hasPrefix(name + "/") || $0.contains(", " + name + "/") } }
    #expect(missing.isEmpty, "docs/DESIGN.md's map lacks: \(missing.joined(separator: ", "))")
  }
}
