import Foundation

/// The fake Hugging Face Hub (Tests/Fixtures/fakehub/fake_hub.py) running on loopback: the Hub on
/// 127.0.0.1, its "CDN" on localhost, every CDN request logged.
public final class FakeHub: @unchecked Sendable {
  public let endpoint: String
  public let cdnPort: Int
  public let logPath: String
  public let token: String
  let process: TestProcess

  /// `repositories`: ORG/NAME → folder; names in `gated` need `token`.
  /// `faults`: blob SHA-256 → the faults its CDN requests take in turn (see fake_hub.py).
  /// `hostileValues`: ORG/NAME → `commit` or `etag` → the value answered instead of the real one.
  public init(
    python: String, repositories: [String: String], gated: Set<String> = [], token: String = "hf_test_token",
    faults: [String: [String]] = [:], hostile: Set<String> = [], hostileValues: [String: [String: String]] = [:]
  ) async throws {
    let port = try Loopback.freePort()
    cdnPort = try Loopback.freePort()
    endpoint = "http://127.0.0.1:\(port)"
    logPath = NSTemporaryDirectory() + "fake-hub-cdn-\(UUID().uuidString).log"
    self.token = token
    let faultsJSON = String(decoding: try JSONSerialization.data(withJSONObject: faults), as: UTF8.self)
    var arguments = [
      Fixtures.root + "/fakehub/fake_hub.py", "--port", "\(port)", "--cdn-port", "\(cdnPort)", "--token", token, "--log", logPath,
      "--faults", faultsJSON,
    ]
    for id in hostile.sorted() { arguments += ["--hostile", id] }
    for (id, values) in hostileValues.sorted(by: { $0.key < $1.key }) {
      for (field, value) in values.sorted(by: { $0.key < $1.key }) { arguments += ["--hostile-value", "\(id):\(field)=\(value)"] }
    }
    for (id, folder) in repositories.sorted(by: { $0.key < $1.key }) {
      arguments += ["--repo", "\(id)=\(folder)\(gated.contains(id) ? ":gated" : "")"]
    }
    process = try TestProcess(python, arguments)
    try await Loopback.waitUntilHealthy(
      endpoint + "/api/models/none/none/revision/main", process: process, seconds: 60, acceptAnyStatus: true)
  }

  /// The CDN requests seen so far, in the order they started: blob digest, Range header, whether
  /// Authorization was sent, and once the request has ended "sent" (body bytes written) and
  /// "end_order" (0 for the first request to end).
  public var cdnRequests: [[String: Any]] {
    guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
    let records = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    var ends: [Int: (sent: Int, order: Int)] = [:]
    for record in records where record["end"] as? Bool == true {
      if let id = record["id"] as? Int { ends[id] = (record["sent"] as? Int ?? 0, ends.count) }
    }
    return records.filter { $0["end"] == nil }.map { record in
      var merged = record
      if let id = record["id"] as? Int, let end = ends[id] {
        merged["sent"] = end.sent
        merged["end_order"] = end.order
      }
      return merged
    }
  }

  /// The CDN requests once every one of them has ended (the server logs an end just after the
  /// client may have read the last byte); waits up to 10 s.
  public func settledCDNRequests() async throws -> [[String: Any]] {
    for _ in 0..<100 {
      let requests = cdnRequests
      if requests.allSatisfy({ $0["sent"] != nil }) { return requests }
      try await Task.sleep(for: .milliseconds(100))
    }
    return cdnRequests
  }

  public func stop() async {
    await process.stop()
    try? FileManager.default.removeItem(atPath: logPath)
  }
}
