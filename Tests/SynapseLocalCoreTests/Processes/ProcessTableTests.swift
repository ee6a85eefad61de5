import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// A service's memory is its whole tree: npm, the shell it starts, node.
@Suite("process trees")
struct ProcessTableTests {
  static func process(_ pid: Int, parent: Int, rssKiB: Int, name: String) -> [String: String] {
    [
      "/proc/\(pid)/stat": "\(pid) (\(name)) S \(parent) \(pid) \(pid) 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0",
      "/proc/\(pid)/status": "Name:\t\(name)\nVmRSS:\t  \(rssKiB) kB\n",
    ]
  }

  @Test func theMemoryOfAServiceIsItsWholeTree() {
    var files: [String: String] = [:]
    for entry in [
      Self.process(100, parent: 1, rssKiB: 60_000, name: "npm run dev"), Self.process(101, parent: 100, rssKiB: 1_600, name: "sh"),
      Self.process(102, parent: 101, rssKiB: 45_000, name: "node"), Self.process(200, parent: 1, rssKiB: 9_000, name: "postgres"),
    ] {
      files.merge(entry) { $1 }
    }
    let table = ProcessTable(system: MemoryFileSystem(roots: ["/proc"], files: files))
    #expect(table.tree(100).sorted() == [100, 101, 102])
    #expect(table.treeResidentBytes(100) == UInt64(60_000 + 1_600 + 45_000) * 1024)
    #expect(table.treeResidentBytes(200) == 9_000 * 1024)
    #expect(table.treeResidentBytes(300) == nil)
  }
}
