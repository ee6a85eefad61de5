import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The stable endpoint's limits against real sockets on loopback: malformed requests get a 4xx
/// and the endpoint answers on; slow and idle clients are closed at their limits; connections
/// cost no threads.
@Suite("endpoint limits", .tags(.integration), .serialized)
struct EndpointLimitsTests {
  static var limits: EndpointLimits {
    EndpointLimits(headSeconds: 1, idleSeconds: 1, maxHeadBytes: 4096, maxBodyBytes: 64 << 10)
  }

  /// A raw client connection with a receive limit.
  final class RawClient: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
      fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = in_port_t(UInt16(port).bigEndian)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
      guard connected == 0 else {
        close(fd)
        throw TestFailure("cannot connect to \(port)")
      }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
      _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// What arrives until the peer closes or `seconds` pass; `closed` says which.
    func read(seconds: Double) -> (text: String, closed: Bool) {
      var limit = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
      var answer: [UInt8] = []
      var buffer = [UInt8](repeating: 0, count: 65536)
      while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return (String(decoding: answer, as: UTF8.self), true) }
        if n < 0 { return (String(decoding: answer, as: UTF8.self), errno == ECONNRESET) }
        answer += buffer[0..<n]
      }
    }

    /// Every byte until the peer closes or `seconds` pass.
    func readData(seconds: Double) -> Data {
      var limit = timeval(tv_sec: Int(seconds), tv_usec: 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
      var answer = Data()
      var buffer = [UInt8](repeating: 0, count: 65536)
      while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return answer }
        answer.append(contentsOf: buffer[0..<n])
      }
    }

    static func status(_ text: String) -> Int { Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0 }
  }

  static func threads() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") } ?? ""
    return Int(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
  }

  @Test(.timeLimit(.minutes(1)))
  func malformedRequestsGetA4xxAndTheEndpointAnswersOn() async throws {
    let endpoint = try StableEndpoint(port: try Loopback.freePort(), holdLimit: .milliseconds(100), limits: Self.limits) { nil }
    defer { endpoint.close() }
    // Seeded noise (a linear congruential generator): the same bytes each run.
    var state: UInt64 = 25
    let noise = (0..<2048).map { _ -> UInt8 in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: state >> 33)
    }
    let chunked = "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    let post = "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\n"
    let cases: [(String, [UInt8], Set<Int>)] = [
      ("negative chunk size", Array((chunked + "-1\r\nabc\r\n0\r\n\r\n").utf8), [400]),
      ("overflowing chunk size", Array((chunked + "1ffffffffffffffffff\r\nabc\r\n0\r\n\r\n").utf8), [400]),
      ("chunk size that is not hex", Array((chunked + "zz\r\nabc\r\n0\r\n\r\n").utf8), [400]),
      ("oversized chunk, sent", Array((chunked + "20000\r\n" + String(repeating: "a", count: 0x20000) + "\r\n0\r\n\r\n").utf8), [413]),
      ("oversized chunk size, body never sent", Array((chunked + "7fffffffffffffff\r\nabc\r\n").utf8), [408]),
      ("length that is not a number", Array((post + "Content-Length: abc\r\n\r\n{}").utf8), [400]),
      ("negative length", Array((post + "Content-Length: -5\r\n\r\n{}").utf8), [400]),
      ("two lengths", Array((post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}").utf8), [400]),
      ("length past the limit", Array((post + "Content-Length: 10485760\r\n\r\n{}").utf8), [413]),
      ("head past the limit", Array(("GET /v1/models HTTP/1.1\r\nX-Big: " + String(repeating: "b", count: 8192) + "\r\n\r\n").utf8), [431]),
      ("not HTTP", Array("HELLO THERE\r\n\r\n".utf8), [400]),
      ("binary noise", noise, [400]),
    ]
    for (name, bytes, expected) in cases {
      let answer = try await StableEndpointTests.onThread { [port = endpoint.port] () -> (String, Bool) in
        let client = try RawClient(port: port)
        client.send(bytes)
        return client.read(seconds: 5)
      }
      let status = RawClient.status(answer.0)
      #expect(expected.contains(status), "\(name): \(answer.0.prefix(200))")
      #expect(answer.1, "\(name): the connection stays open")
      #expect(status == 0 || answer.0.contains(#""error""#), "\(name): not a JSON error")
      // The endpoint answers on: a request gets its 503 (no engine) at once.
      let next = try await StableEndpointTests.onThread { [port = endpoint.port] in try StableEndpointTests.chat(port: port) }
      #expect(next.status == 503, "after \(name): \(next.status)")
    }
  }

  @Test(.timeLimit(.minutes(1)))
  func slowAndIdleClientsAreClosedAtTheirLimits() async throws {
    let endpoint = try StableEndpoint(port: try Loopback.freePort(), holdLimit: .milliseconds(100), limits: Self.limits) { nil }
    defer { endpoint.close() }
    let port = endpoint.port
    // Half a head, then nothing: a 408 at the head limit, then the end.
    let trickle = try await StableEndpointTests.onThread { () -> (String, Bool, Duration) in
      let client = try RawClient(port: port)
      let began = ContinuousClock.now
      client.send("GET /v1/models HTTP/1.1\r\nHo")
      let answer = client.read(seconds: 5)
      return (answer.text, answer.closed, ContinuousClock.now - began)
    }
    #expect(RawClient.status(trickle.0) == 408 && trickle.1 && trickle.2 < .seconds(3), "\(trickle)")
    // A body that stops: a 408 at the idle limit.
    let slowBody = try await StableEndpointTests.onThread { () -> (String, Bool) in
      let client = try RawClient(port: port)
      client.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"input\":")
      return client.read(seconds: 5)
    }
    #expect(RawClient.status(slowBody.0) == 408 && slowBody.1, "\(slowBody)")
    // A connection that never sends, and one kept alive after its answer: closed quietly at the
    // idle limit (no answer is owed).
    let idle = try await StableEndpointTests.onThread { () -> (String, Bool, String, Bool) in
      let silent = try RawClient(port: port)
      let kept = try RawClient(port: port)
      kept.send("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
      let first = kept.read(seconds: 3)
      let quiet = silent.read(seconds: 3)
      return (quiet.text, quiet.closed, first.text, first.closed)
    }
    #expect(idle.0.isEmpty && idle.1, "never sent: \(idle)")
    #expect(RawClient.status(idle.2) == 503 && idle.3, "kept alive: \(idle)")

    // 500 connections that send nothing cost no threads, and are all closed at the limit.
    let before = Self.threads()
    let crowd = try (0..<500).map { _ in try RawClient(port: port) }
    try await Task.sleep(for: .milliseconds(300))
    let during = Self.threads()
    #expect(during - before < 20, "\(before) threads before 500 idle connections, \(during) with them")
    let closed = try await StableEndpointTests.onThread { crowd.filter { $0.read(seconds: 4).closed }.count }
    #expect(closed == 500)
    let alive = try await StableEndpointTests.onThread { try StableEndpointTests.chat(port: port) }
    #expect(alive.status == 503)
  }
}

/// Answers keep their framing through the relay: a large answer arrives whole, HEAD has no body
/// (and the next request on the connection is read in step), HTTP/1.0 gets HTTP/1.0, and a client
/// that stops reading is let go at the idle limit instead of holding the engine.
@Suite("endpoint framing", .tags(.integration), .serialized)
struct EndpointFramingTests {
  @Test(.timeLimit(.minutes(1)), .enabled(if: TestBed.shouldRun(.python)))
  func answersKeepTheirFramingAndSlowReadersAreLetGo() async throws {
    let base = NSTemporaryDirectory() + "framing-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: base) }
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    var state: UInt64 = 7
    let big = Data(
      (0..<(3 << 20)).map { _ -> UInt8 in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
      })
    try big.write(to: URL(fileURLWithPath: base + "/big.bin"))
    try Data("hello".utf8).write(to: URL(fileURLWithPath: base + "/small.txt"))
    // More than loopback's socket buffers hold between the engine and a client that reads nothing.
    try Data(count: 64 << 20).write(to: URL(fileURLWithPath: base + "/huge.bin"))
    // The engine: Python's file server (HTTP/1.0, Content-Length on every answer).
    let enginePort = try Loopback.freePort()
    let engine = try TestProcess(
      try TestBed.require(.python), ["-m", "http.server", "--bind", "127.0.0.1", "--directory", base, String(enginePort)])
    defer { Task { await engine.stop() } }
    try await Loopback.waitUntilHealthy("http://127.0.0.1:\(enginePort)/small.txt", process: engine, seconds: 20)
    let endpoint = try StableEndpoint(
      port: try Loopback.freePort(), holdLimit: .seconds(5), limits: EndpointLimitsTests.limits, upstream: { enginePort })
    defer { endpoint.close() }
    let port = endpoint.port

    let whole = try await StableEndpointTests.onThread { () -> Data in
      let client = try EndpointLimitsTests.RawClient(port: port)
      client.send("GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
      return client.readData(seconds: 10)
    }
    let split = try #require(whole.range(of: Data("\r\n\r\n".utf8)))
    // (Compared first: a failed #expect on 3 MiB would have the test library diff them.)
    let same = whole[split.upperBound...] == big
    #expect(same, "\(whole.count - split.upperBound) body bytes of \(big.count): \(String(decoding: whole.prefix(300), as: UTF8.self))")

    // HEAD, then GET on the same connection: the HEAD answer has no body, so the GET's is next.
    let pair = try await StableEndpointTests.onThread { () -> String in
      let client = try EndpointLimitsTests.RawClient(port: port)
      client.send("HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
      return client.read(seconds: 5).text
    }
    #expect(pair.components(separatedBy: "HTTP/1.1 200").count == 3 && pair.hasSuffix("\r\n\r\nhello"), "\(pair)")
    #expect(pair.contains("Content-Length: \(big.count)"))

    let old = try await StableEndpointTests.onThread { () -> String in
      let client = try EndpointLimitsTests.RawClient(port: port)
      client.send("GET /small.txt HTTP/1.0\r\n\r\n")
      return client.read(seconds: 5).text
    }
    #expect(old.hasPrefix("HTTP/1.0 200") && old.hasSuffix("hello"), "\(old)")

    // A client that asks for 64 MiB and reads nothing: let go at the idle limit (1 s here).
    let stalled = try EndpointLimitsTests.RawClient(port: port)
    stalled.send("GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    try await Task.sleep(for: .milliseconds(500))
    #expect(endpoint.inFlight == 1)
    var released = false
    for _ in 0..<40 where !released {
      try await Task.sleep(for: .milliseconds(100))
      released = endpoint.inFlight == 0
    }
    #expect(released, "a client that reads nothing still holds its exchange after 4.5 s")
  }
}
