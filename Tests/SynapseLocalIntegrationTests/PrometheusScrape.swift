import Foundation
import SynapseLocalTesting
import Testing

/// The status port's `/metrics` as Prometheus's own Python client parses it
/// (`prometheus_client.parser.text_string_to_metric_families`, from the test bed): a text it
/// rejects fails the test.
struct PrometheusScrape {
  struct Sample: Decodable {
    var name: String
    var labels: [String: String]
    var value: Double
  }

  /// family name to its type (counter, gauge, histogram)
  var types: [String: String]
  var samples: [Sample]

  static let parser = """
    import json, sys
    from prometheus_client.parser import text_string_to_metric_families
    families = list(text_string_to_metric_families(open(sys.argv[1]).read()))
    print(json.dumps({"types": {f.name: f.type for f in families},
                      "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for f in families for s in f.samples]}))
    """

  static func scrape(port: Int) async throws -> PrometheusScrape {
    let answer = try await StableEndpointTests.onThread {
      try StableEndpointTests.exchange(port: port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    }
    guard answer.status == 200 else { throw TestFailure("/metrics: \(answer.status) \(answer.body)") }
    let file = NSTemporaryDirectory() + "metrics-\(UUID().uuidString).txt"
    try answer.body.write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let (status, output) = try await runCommand(try TestBed.require(.python), ["-c", parser, file])
    guard status == 0 else { throw TestFailure("prometheus_client rejected /metrics: \(output)\n\(answer.body.prefix(3000))") }
    let json = output.split(separator: "\n").last { !$0.isEmpty }.map(String.init) ?? ""
    return try JSONDecoder().decode(PrometheusScrape.self, from: Data(json.utf8))
  }

  /// The value of the sample with this name and these labels (others may be there too); nil when none.
  func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
    samples.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
  }
}

extension PrometheusScrape: Decodable {}
