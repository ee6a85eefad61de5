import Foundation
import SynapseLocalCore
import SynapseLocalSystem
import SynapseLocalTesting
import Testing

/// The stable endpoint in front of the real llama-server: answers pass through unchanged, streams
/// arrive event by event, requests wait while the engine is away (a crash and restart) instead of
/// failing, and a hold that lasts too long ends in a clean 503.
@Suite("stable endpoint", .tags(.integration), .serialized)
struct StableEndpointTests {
  final class Port: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int?
    init(_ value: Int?) { self.value = value }
    var current: Int? {
      get { lock.withLock { value } }
      set { lock.withLock { value = newValue } }
    }
  }

  /// Blocking socket work on a thread of its own: never on the few threads Swift concurrency has
  /// (other suites' servers answer on those).
  static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
  }

  func llamaServer(port: Int) throws -> TestProcess {
    try TestProcess(
      try TestBed.require(.llamaServer),
      [
        "-m", try TestBed.require(.smolLM2), "--host", "127.0.0.1", "--port", String(port), "-c", "1024", "-t", "2", "--alias",
        "SmolLM2-135M-Instruct",
      ])
  }

  /// One raw HTTP exchange (one attempt, no retries): status and body, and when each body chunk came.
  /// One request per connection: it asks for `Connection: close` and reads to the end.
  static func exchange(port: Int, _ request: String) throws -> (status: Int, body: String, chunks: Int) {
    let request =
      request.lowercased().contains("\r\nconnection:")
      ? request : request.replacingOccurrences(of: "\r\n", with: "\r\nConnection: close\r\n", options: [], range: request.range(of: "\r\n"))
    return try raw(port: port, Array(request.utf8))
  }

  /// Sends bytes as they are, reads to the end.
  static func raw(port: Int, _ bytes: [UInt8]) throws -> (status: Int, body: String, chunks: Int) {
    let client = try EndpointLimitsTests.RawClient(port: port)
    client.send(bytes)
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    var chunks = 0
    // (The client closes its socket when it goes: kept until the last read.)
    withExtendedLifetime(client) {
      while true {
        let n = buffer.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        answer += buffer[0..<n]
        chunks += 1
      }
    }
    let text = String(decoding: answer, as: UTF8.self)
    let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
    let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
    return (status, body, chunks)
  }

  /// A chunked body's content without its framing (the relay passes the engine's stream on in the
  /// pieces it reads, so an event may straddle two chunks); a body that is not chunked as it is.
  static func dechunked(_ body: String) -> String {
    // On bytes: in a String, "\r\n" is one Character and would throw the counts off.
    let bytes = Array(body.utf8)
    var content: [UInt8] = []
    var at = 0
    while let lineEnd = (at..<max(at, bytes.count - 1)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }) {
      guard let size = Int(String(decoding: bytes[at..<lineEnd], as: UTF8.self), radix: 16) else { return body }
      if size == 0 { return String(decoding: content, as: UTF8.self) }
      let start = lineEnd + 2
      guard start + size + 2 <= bytes.count else { return body }
      content += bytes[start..<start + size]
      at = start + size + 2
    }
    return body
  }

  static func chat(port: Int, stream: Bool = false, chunked: Bool = false) throws -> (status: Int, body: String, chunks: Int) {
    let body =
      #"{"model": "SmolLM2-135M-Instruct", "messages": [{"role": "user", "content": "Count to five."}], "max_tokens": 16, "temperature": 0, "stream": \#(stream)}"#
    let framing =
      chunked
      ? "Transfer-Encoding: chunked\r\n\r\n\(String(body.utf8.count, radix: 16))\r\n\(body)\r\n0\r\n\r\n"
      : "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    return try exchange(
      port: port,
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer not-needed\r\n\(framing)"
    )
  }

  @Test(.timeLimit(.minutes(3)), .enabled(if: TestBed.shouldRun(.llamaServer, .smolLM2)))
  func answersPassThroughAndCrashesOnlyDelay() async throws {
    let enginePort = try Loopback.freePort()
    var engine = try llamaServer(port: enginePort)
    try await Loopback.waitUntilHealthy("http://127.0.0.1:\(enginePort)/health", process: engine, seconds: 90)
    let upstream = Port(enginePort)
    let endpoint = try StableEndpoint(port: try Loopback.freePort(), holdLimit: .seconds(60)) { upstream.current }
    defer { endpoint.close() }

    // Unchanged: the same status and body as the engine's own, chunked requests included.
    let direct = try await Self.onThread { try Self.exchange(port: enginePort, "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n") }
    let proxied = try await Self.onThread { [port = endpoint.port] in
      try Self.exchange(port: port, "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
    }
    // (llama-server stamps each answer with the time: compare the rest.)
    func stripped(_ body: String) throws -> NSDictionary {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
      let models = (object["data"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "created" } }
      return ["data": models, "object": object["object"] ?? ""] as NSDictionary
    }
    #expect(proxied.status == 200 && direct.status == 200)
    #expect(try stripped(proxied.body) == stripped(direct.body))
    let chunked = try await Self.onThread { [port = endpoint.port] in try Self.chat(port: port, chunked: true) }
    #expect(chunked.status == 200)
    // A stream arrives as events, not as one buffered answer.
    let streamed = try await Self.onThread { [port = endpoint.port] in try Self.chat(port: port, stream: true) }
    #expect(
      streamed.status == 200 && Self.dechunked(streamed.body).contains("data: [DONE]") && streamed.chunks > 3, "\(streamed.chunks) chunks")

    // While the engine is away (no port to give), requests wait, then go through.
    upstream.current = nil
    async let held = Self.onThread { try Self.chat(port: endpoint.port) }
    try await Task.sleep(for: .seconds(1))
    upstream.current = enginePort
    #expect(try await held.status == 200)
    #expect(endpoint.statistics.held == 1 && endpoint.statistics.longestWaitMilliseconds >= 900)

    // kill -9 of the engine under a loop of requests (one attempt each), then a new engine on
    // the same port: every request waits or is replayed; none fails.
    let failures = Port(0)
    let sent = Port(0)
    let loop = Task {
      try await Self.onThread {
        for _ in 0..<40 {
          let status = (try? Self.chat(port: endpoint.port).status) ?? 0
          sent.current = (sent.current ?? 0) + 1
          if status != 200 { failures.current = (failures.current ?? 0) + 1 }
        }
      }
    }
    try await Task.sleep(for: .milliseconds(800))
    kill(try #require(engine.processIdentifier), SIGKILL)
    await engine.stop()
    engine = try llamaServer(port: enginePort)
    try await loop.value
    #expect(sent.current == 40 && failures.current == 0, "\(failures.current ?? -1) of \(sent.current ?? 0) failed")
    await engine.stop()

    // An engine that takes the connection but never answers: a 504 within the hold limit.
    let (silent, silentPort) = try LoopbackPorts.bindLoopback()
    defer { close(silent) }
    listen(silent, 8)  // the kernel accepts into the backlog; nobody ever reads
    let patient = try StableEndpoint(port: try Loopback.freePort(), holdLimit: .seconds(2)) { silentPort }
    defer { patient.close() }
    let began = ContinuousClock.now
    let timedOut = try await Self.onThread { [port = patient.port] in try Self.chat(port: port) }
    #expect(timedOut.status == 504 && timedOut.body.contains(#""error""#))
    #expect(ContinuousClock.now - began < .seconds(5))

    // A hold longer than its limit ends with a 503 and a JSON error.
    let short = try StableEndpoint(port: try Loopback.freePort(), holdLimit: .milliseconds(300)) { nil }
    defer { short.close() }
    let refused = try await Self.onThread { [port = short.port] in try Self.chat(port: port) }
    #expect(refused.status == 503 && refused.body.contains(#""error""#))
  }

}
