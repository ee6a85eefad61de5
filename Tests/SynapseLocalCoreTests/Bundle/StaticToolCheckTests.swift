import Foundation
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// The check that the tool a bundle carries has the Swift runtime inside: a binary naming
/// libswiftCore.so anywhere, including across the scan's 1 MiB blocks, links it dynamically.
@Suite("the bundled tool's runtime check")
struct StaticToolCheckTests {
  let files = MemoryFileSystem(roots: ["/bin"])

  func binary(_ name: String, needleAt offset: Int?, size: Int = 3 << 20) throws -> String {
    var bytes = Data(repeating: 0xA5, count: size)
    if let offset { bytes.replaceSubrange(offset..<(offset + 15), with: Data("libswiftCore.so".utf8)) }
    try files.createDirectory("/bin")
    try files.write(bytes, to: "/bin/" + name, permissions: 0o755)
    return "/bin/" + name
  }

  @Test(arguments: [0, (1 << 20) - 7, (2 << 20) - 1 - 14, (3 << 20) - 15])
  func aNeedleAnywhereMeansDynamic(_ offset: Int) throws {
    #expect(!BundleExporter.isStatic(try binary("dynamic", needleAt: offset), files: files))
  }

  @Test func noNeedleMeansStaticAndAMissingFileIsNot() throws {
    #expect(BundleExporter.isStatic(try binary("static", needleAt: nil), files: files))
    #expect(!BundleExporter.isStatic("/bin/missing", files: files))
  }
}
