import Foundation

/// The stand-in for the npm registry (Tests/Fixtures/fakenpm/fake_registry.py) on loopback: the
/// packument and tarball protocol npm uses, for `tiny-lib@2.1.0`, which depends on
/// `tiny-dep@^1.0.0`; every request logged. This machine cannot reach the real registry.
public final class FakeNpmRegistry: @unchecked Sendable {
  /// The registry's URL, for `npm --registry`.
  public let url: String
  public let logPath: String
  let process: TestProcess

  public init(python: String) async throws {
    let port = try Loopback.freePort()
    url = "http://127.0.0.1:\(port)/"
    logPath = NSTemporaryDirectory() + "fake-npm-\(UUID().uuidString).log"
    process = try TestProcess(
      python,
      [Fixtures.root + "/fakenpm/fake_registry.py", "--port", "\(port)", "--root", Fixtures.root + "/fakenpm/packages", "--log", logPath])
    try await Loopback.waitUntilHealthy(url + "tiny-lib", process: process, seconds: 30)
  }

  /// The paths requested so far.
  public var requests: [String] {
    guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["path"] as? String
    }
  }

  public func stop() async {
    await process.stop()
    try? FileManager.default.removeItem(atPath: logPath)
  }
}
