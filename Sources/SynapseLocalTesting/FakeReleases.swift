import Foundation

/// The stand-in for GitHub's releases (Tests/Fixtures/fakerelease/fake_release.py) on loopback,
/// the way SYNAPSE_LOCAL_ENGINE_MIRROR expects a mirror: the release API, the download URL that
/// redirects to a storage host (localhost), Range, and faults; every request logged.
public final class FakeReleases: @unchecked Sendable {
  public let mirror: String
  public let logPath: String
  let process: TestProcess

  /// `root`: `<owner>/<name>/<tag>/<asset>` files. `faults`: asset → the faults its storage GETs take
  /// in turn; `digests`: asset → the digest published instead of the real one.
  public init(python: String, root: String, faults: [String: [String]] = [:], digests: [String: String] = [:]) async throws {
    let port = try Loopback.freePort()
    mirror = "http://127.0.0.1:\(port)"
    logPath = NSTemporaryDirectory() + "fake-releases-\(UUID().uuidString).log"
    let faultsJSON = String(decoding: try JSONSerialization.data(withJSONObject: faults), as: UTF8.self)
    var arguments = [
      Fixtures.root + "/fakerelease/fake_release.py", "--port", "\(port)", "--root", root, "--log", logPath, "--faults", faultsJSON,
    ]
    for (asset, digest) in digests.sorted(by: { $0.key < $1.key }) { arguments += ["--digest", "\(asset)=\(digest)"] }
    process = try TestProcess(python, arguments)
    try await Loopback.waitUntilHealthy(
      mirror + "/repos/none/none/releases/tags/none", process: process, seconds: 30, acceptAnyStatus: true)
  }

  /// The requests seen so far: method, path, host, range.
  public var requests: [[String: Any]] {
    guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
  }

  /// The storage GETs (the bytes), with their Range headers.
  public var downloads: [String?] {
    requests.filter { $0["method"] as? String == "GET" && ($0["path"] as? String)?.hasPrefix("/storage/") == true }.map {
      $0["range"] as? String
    }
  }

  public func stop() async {
    await process.stop()
    try? FileManager.default.removeItem(atPath: logPath)
  }
}
